#pragma once
// Tensors as run-archive values: what a differentiable strategy reports of
// its architecture parameters (DARTS's α, FBNet's θ) each epoch.

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

}  // namespace controllers
