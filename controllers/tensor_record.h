#pragma once
// What a differentiable strategy reports of its architecture parameters
// (DARTS's α, FBNet's θ): tensors as run-archive values, and the entropy
// of their distributions.

#include <torch/torch.h>

#include <vector>

#include "spaces/infra/record.h"

namespace controllers {

// The values of any floating or integer tensor, as doubles in row-major order.
inline std::vector<double> tensor_values(const torch::Tensor& t) {
  const torch::Tensor d = t.detach().to(torch::kDouble).contiguous();
  return {d.data_ptr<double>(), d.data_ptr<double>() + d.numel()};
}

// The tensor as a record's number array (its shape and values).
inline spaces::NumberArray number_array(const torch::Tensor& t) {
  return {std::vector<std::int64_t>(t.sizes().begin(), t.sizes().end()), tensor_values(t)};
}

// The mean over rows of the entropy (nats) of softmax(logits) per row;
// logits [rows, choices].
inline double mean_row_entropy(const torch::Tensor& logits) {
  torch::NoGradGuard no_grad;
  const torch::Tensor logp = torch::log_softmax(logits, -1);
  return -(logp.exp() * logp).sum(-1).mean().item<double>();
}

}  // namespace controllers
