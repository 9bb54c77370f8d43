#include "childnets/memory_estimate.h"

#include <ATen/CPUGeneratorImpl.h>
#include <malloc.h>

#if defined(__SANITIZE_ADDRESS__)
// The sanitizers' public allocator interface (sanitizer/allocator_interface.h,
// which Debian ships with clang only; libasan defines the function).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "childnets/batch_norm.h"
#include "childnets/default_generator_guard.h"

namespace childnets {

std::int64_t heap_bytes_in_use() {
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer replaces malloc, so glibc's statistics see nothing; ask its allocator.
  return static_cast<std::int64_t>(__sanitizer_get_current_allocated_bytes());
#else
  const struct mallinfo2 info = mallinfo2();
  return static_cast<std::int64_t>(info.uordblks + info.hblkhd);
#endif
}

namespace {

// The quadratic through (2, y2), (4, y4), (6, y6) at x (Lagrange), exactly.
__int128 quadratic_through(std::int64_t y2, std::int64_t y4, std::int64_t y6, std::int64_t x) {
  const __int128 X = x;
  const __int128 sum =
      __int128{y2} * (X - 4) * (X - 6) - 2 * __int128{y4} * (X - 2) * (X - 6) + __int128{y6} * (X - 2) * (X - 4);
  return sum / 8;
}

}  // namespace

std::int64_t extrapolate_store_bytes(const std::function<std::int64_t(std::int64_t channels)>& bytes_at,
                                     std::int64_t channels) {
  // The builds initialise weights from the default generator; the run's
  // draws must be those it would make without the estimate.
  const DefaultGeneratorGuard keep;
  const std::int64_t y2 = bytes_at(2), y4 = bytes_at(4), y6 = bytes_at(6);
  if (quadratic_through(y2, y4, y6, 8) != bytes_at(8)) {
    throw std::logic_error("store bytes are not quadratic in the channel count; cannot extrapolate");
  }
  const __int128 bytes = quadratic_through(y2, y4, y6, channels);
  constexpr __int128 kMax = std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(bytes > kMax ? kMax : bytes);
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
