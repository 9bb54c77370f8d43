#pragma once
// What a training step of a network will take in memory, measured before
// training starts so a search that cannot fit is refused with a number
// (DARTS #98: its supernet keeps ~8x a plain network's activations).
//
// The activations a forward pass keeps for its backward pass are measured,
// not modelled: the growth of the process's heap (glibc mallinfo2, which
// libtorch's CPU allocator draws from) while the graph of a forward pass
// at batch 2 and at batch 4 is alive, extrapolated linearly in the batch.
// The network runs in eval mode with batch statistics, so no running
// statistic moves and no random number is drawn.

#include <torch/torch.h>

#include <cstdint>
#include <functional>

namespace childnets {

struct StepMemory {
  std::int64_t per_sample = 0;  // bytes of kept activations per sample
  std::int64_t fixed = 0;       // bytes kept whatever the batch
  std::int64_t activations(std::int64_t batch) const { return fixed + per_sample * batch; }
};

// `loss_of(batch)` runs a forward pass on a batch of that size and returns
// its loss (with its graph). The graph is released before returning.
StepMemory measure_step_memory(const std::function<torch::Tensor(std::int64_t batch)>& loss_of);

// Bytes (parameters and buffers) that a store would hold at `channels`,
// found without building it there: `bytes_at(c)` builds the store at a
// small channel count c and returns its bytes(). Every tensor's size is a
// polynomial of degree at most 2 in the channel count (a convolution's
// out x in x k x k, a batch norm's C, a classifier's C x classes, with
// every width a fixed multiple of C), so the bytes at 2, 4 and 6 channels
// determine it; a build at 8 checks that. libtorch's default generator is
// left as it was (the builds' weight initialisation draws from it). Throws
// std::logic_error when the check fails (a store whose sizes are not such
// a polynomial: a programming error the tests guard for every space).
std::int64_t extrapolate_store_bytes(const std::function<std::int64_t(std::int64_t channels)>& bytes_at,
                                     std::int64_t channels);

// Bytes in use on the heap now (arenas and mmapped blocks; under
// AddressSanitizer, its allocator's count).
std::int64_t heap_bytes_in_use();

}  // namespace childnets
