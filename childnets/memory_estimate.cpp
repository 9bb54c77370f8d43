#include "childnets/memory_estimate.h"

#include <malloc.h>

#include <algorithm>

#include "childnets/batch_norm.h"

namespace childnets {

std::int64_t heap_bytes_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return static_cast<std::int64_t>(info.uordblks + info.hblkhd);
}

StepMemory measure_step_memory(const std::function<torch::Tensor(std::int64_t batch)>& loss_of) {
  BatchStatisticsScope batch_statistics;
  torch::AutoGradMode grad(true);
  const auto kept = [&](std::int64_t batch) {
    const std::int64_t before = heap_bytes_in_use();
    torch::Tensor loss = loss_of(batch);
    const std::int64_t after = heap_bytes_in_use();
    loss = torch::Tensor();  // releases the graph
    return std::max<std::int64_t>(0, after - before);
  };
  kept(2);  // warms up allocations made once (kernel workspaces, caches)
  const std::int64_t at2 = kept(2), at4 = kept(4);
  StepMemory memory;
  memory.per_sample = std::max<std::int64_t>(0, (at4 - at2) / 2);
  memory.fixed = std::max<std::int64_t>(0, at2 - 2 * memory.per_sample);
  return memory;
}

}  // namespace childnets
