#pragma once
// Depthwise 2-d convolution for channels-last float tensors on the CPU,
// with a backward pass of its own. libtorch 1.13's depthwise backward is
// slow at 5x5 and up because of its weight gradient; oneDNN computes each
// gradient fast when asked for it alone, except that one. So the backward
// asks oneDNN for the input gradient and, at 3x3, the weight gradient; 5x5
// and 7x7 weight gradients are a register-blocked kernel of ours (AVX2 when
// the CPU has it, chosen at run time). The forward pass is oneDNN's.
// childnet_benchmark's BM_DepthwiseBackward* measure both gradients at
// 64x20x28x28: 5x5 1.5 ms here against 4.0 ms through libtorch; 3x3 0.7 ms
// either way.
//
// x: [N, C, H, W] channels-last; weight: [C, 1, K, K] (torch::nn::Conv2d's
// layout); square kernel, stride 1, symmetric padding; no bias. Returns a
// channels-last [N, C, OH, OW], differentiable in x and weight.

#include <torch/torch.h>

namespace childnets {

// The memory format depthwise_conv2d takes and returns, and the one the
// channels-last networks (SPOS, FBNet) keep their activations in.
inline constexpr auto kChannelsLast = at::MemoryFormat::ChannelsLast;

torch::Tensor depthwise_conv2d(const torch::Tensor& x, const torch::Tensor& weight, std::int64_t stride,
                               std::int64_t padding, std::int64_t dilation);

// Whether depthwise_conv2d takes `x`: channels-last float on the CPU, at
// stride 1 (stride 2 stays with libtorch's convolution).
bool depthwise_kernel_applies(const torch::Tensor& x, std::int64_t stride);

// A depthwise convolution of x ([N, C, H, W]) with weight [C, 1, K, K] at
// any stride: depthwise_conv2d where it applies, libtorch's grouped
// convolution otherwise. No bias.
torch::Tensor any_depthwise_conv2d(const torch::Tensor& x, const torch::Tensor& weight, std::int64_t stride,
                                   std::int64_t padding, std::int64_t dilation);

}  // namespace childnets
