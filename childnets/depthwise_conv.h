#pragma once
// Depthwise 2-d convolution for channels-last float tensors on the CPU,
// with a backward pass of its own. libtorch 1.13's depthwise backward on
// CPU is 3-6x slower than its forward even channels-last (64x20x28x28, 5x5:
// 1.0 ms forward, 6.1 ms backward through oneDNN); here the input and
// weight gradients are vectorised row-wise multiply-adds per kernel tap
// (AVX2 when the CPU has it, chosen at run time): 4.4 ms for that case,
// 2.1 against 2.9 ms at 64x40x14x14. The forward pass stays with oneDNN.
//
// x: [N, C, H, W] channels-last; weight: [C, 1, K, K] (torch::nn::Conv2d's
// layout); square kernel, stride 1, symmetric padding; no bias. Returns a
// channels-last [N, C, OH, OW], differentiable in x and weight.

#include <torch/torch.h>

namespace childnets {

torch::Tensor depthwise_conv2d(const torch::Tensor& x, const torch::Tensor& weight, std::int64_t stride,
                               std::int64_t padding, std::int64_t dilation);

// Whether depthwise_conv2d is the faster choice for `x` (channels-last
// float on the CPU): stride 1 and kernels of 5 and more. At 3x3 oneDNN's
// backward is faster (2.5 against 3.4 ms at 64x20x28x28); stride 2 stays
// with oneDNN too.
bool depthwise_kernel_applies(const torch::Tensor& x, std::int64_t stride, std::int64_t kernel);

}  // namespace childnets
