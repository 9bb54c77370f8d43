#pragma once
// Depthwise 2-d convolution for channels-last float tensors on the CPU,
// with a backward pass of its own. libtorch 1.13's depthwise backward on
// CPU is 3-6x slower than its forward even channels-last (64x20x28x28, 5x5:
// 1.0 ms forward, 6.1 ms backward through oneDNN); here the input and
// weight gradients are vectorised row-wise multiply-adds per kernel tap
// (AVX2 when the CPU has it, chosen at run time): 4.3 ms for that case,
// 2.0 against 2.8 ms at 64x40x14x14. The forward pass stays with oneDNN.
//
// x: [N, C, H, W] channels-last; weight: [C, 1, K, K] (torch::nn::Conv2d's
// layout); square kernel, stride 1, symmetric padding; no bias. Returns a
// channels-last [N, C, OH, OW], differentiable in x and weight.

#include <torch/torch.h>

namespace childnets {

torch::Tensor depthwise_conv2d(const torch::Tensor& x, const torch::Tensor& weight, std::int64_t stride,
                               std::int64_t padding, std::int64_t dilation);

// Whether depthwise_conv2d takes `x` (channels-last float on the CPU) at
// this stride (1 only; stride 2 stays with oneDNN).
bool depthwise_kernel_applies(const torch::Tensor& x, std::int64_t stride);

}  // namespace childnets
