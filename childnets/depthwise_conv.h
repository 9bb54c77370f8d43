#pragma once
// Depthwise 2-d convolution for channels-last float tensors on the CPU,
// with a backward pass of its own. libtorch 1.13's autograd backward for a
// depthwise convolution is several times slower than its forward even
// channels-last (64x20x28x28: 3x3 2.5 ms, 5x5 5.5 ms, against 0.6 and
// 1.0 ms forward), yet oneDNN computes each gradient fast when asked for it
// alone (3x3: input 0.35 ms, weight 0.26 ms), except the weight gradient at
// 5x5 and up (3.2 ms). So the backward asks oneDNN for the input gradient
// and, at 3x3, the weight gradient; larger kernels' weight gradients are a
// vectorised row-wise kernel of ours (AVX2 when the CPU has it, chosen at
// run time). The forward pass is oneDNN's.
//
// x: [N, C, H, W] channels-last; weight: [C, 1, K, K] (torch::nn::Conv2d's
// layout); square kernel, stride 1, symmetric padding; no bias. Returns a
// channels-last [N, C, OH, OW], differentiable in x and weight.

#include <torch/torch.h>

namespace childnets {

torch::Tensor depthwise_conv2d(const torch::Tensor& x, const torch::Tensor& weight, std::int64_t stride,
                               std::int64_t padding, std::int64_t dilation);

// Whether depthwise_conv2d takes `x`: channels-last float on the CPU, at
// stride 1 (stride 2 stays with libtorch's convolution).
bool depthwise_kernel_applies(const torch::Tensor& x, std::int64_t stride);

}  // namespace childnets
