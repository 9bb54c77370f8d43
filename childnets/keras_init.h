#pragma once
// Keras's default initialisation, for networks built as Keras code builds
// them (hyper-spaces, Hypernets' ENAS micro): glorot_uniform kernels,
// U(-b, b) with b = sqrt(6 / (fan_in + fan_out)), and zero biases.

#include <torch/torch.h>

#include <cmath>

namespace childnets {

inline void keras_glorot_uniform(torch::Tensor& weight, std::int64_t fan_in, std::int64_t fan_out) {
  torch::NoGradGuard no_grad;
  const double bound = std::sqrt(6.0 / double(fan_in + fan_out));
  weight.uniform_(-bound, bound);
}

// A conv2d (weight [out, in / groups, k, k]) initialised as Keras does:
// a plain convolution's kernel (k, k, in, out) has fan_in = in x k x k and
// fan_out = out x k x k; a depthwise one (groups = in; Keras's kernel
// (k, k, in, multiplier)) fan_in = in x k x k and fan_out = multiplier x
// k x k. Bias zero.
inline void keras_init_conv(torch::nn::Conv2dImpl& conv) {
  const auto& w = conv.weight;
  const std::int64_t receptive = w.size(2) * w.size(3);
  const std::int64_t groups = conv.options.groups();
  keras_glorot_uniform(conv.weight, w.size(1) * groups * receptive, w.size(0) / groups * receptive);
  torch::NoGradGuard no_grad;
  if (conv.bias.defined()) conv.bias.zero_();
}

inline void keras_init_linear(torch::nn::LinearImpl& linear) {
  keras_glorot_uniform(linear.weight, linear.weight.size(1), linear.weight.size(0));
  torch::NoGradGuard no_grad;
  if (linear.bias.defined()) linear.bias.zero_();
}

// Keras's BatchNormalization defaults: epsilon 1e-3, momentum 0.99 (torch's 0.01).
inline torch::nn::BatchNormOptions keras_batch_norm(std::int64_t channels) {
  return torch::nn::BatchNormOptions(channels).eps(1e-3).momentum(0.01);
}

}  // namespace childnets
