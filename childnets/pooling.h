#pragma once
// Stride-1 "same" pooling for channels-last float tensors on the CPU, with
// backward passes of its own: max and average over a k x k window (k odd,
// padding (k-1)/2), the average over the in-image pixels only (libtorch's
// count_include_pad = false), the max ignoring the padding. These are the
// pools of every normal cell. libtorch 1.13's channels-last kernels take
// 2.9 ms (max) and 1.2 ms (average) forward at 64x20x28x28 on 2 cores;
// childnet_benchmark's BM_Pool* measure both against these.
//
// Results equal libtorch's, gradients included: the max's gradient goes to
// the first maximum of the window in row-major order, as libtorch's does,
// so ties (common after a ReLU) resolve the same way.

#include <torch/torch.h>

namespace childnets {

// Whether same_max_pool2d / same_avg_pool2d take `x` at `kernel`, `stride`.
bool same_pool_kernel_applies(const torch::Tensor& x, std::int64_t kernel, std::int64_t stride);

torch::Tensor same_max_pool2d(const torch::Tensor& x, std::int64_t kernel);
torch::Tensor same_avg_pool2d(const torch::Tensor& x, std::int64_t kernel);

}  // namespace childnets
