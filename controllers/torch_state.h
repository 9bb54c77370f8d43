#pragma once
// The saved state of libtorch objects, as StateFields bindings (see
// spaces/infra/state_dict.h): a module's parameters and buffers, an Adam's
// or SGD's per-parameter state, a generator, a copied tensor. Each binding
// is one call that saves or loads, so a controller's, the search's and
// final training's checkpoints all store these objects the same way.
//
// Loading copies into the existing tensors (an optimizer keeps addressing
// them) and throws spaces::StateError naming the key of a missing tensor or
// of one with another shape.

#include <torch/torch.h>

#include <string>
#include <vector>

#include "spaces/infra/state_dict.h"

namespace controllers {

using StateDict = spaces::StateDict<torch::Tensor>;
using StateFields = spaces::StateFields<torch::Tensor>;

// Tensors "<name>.<parameter or buffer name>" for every parameter and buffer of `module`.
void bind_module(StateFields& fields, const std::string& name, torch::nn::Module& module);

// Tensors "<name>.<i>.exp_avg", "<name>.<i>.exp_avg_sq" and scalar
// "<name>.<i>.step" for parameters[i] that Adam has a state for (none
// before its first step), and scalar "<name>.states", how many do (a state
// that lost one is refused).
void bind_adam(StateFields& fields, const std::string& name, torch::optim::Adam& adam,
               const std::vector<torch::Tensor>& parameters);

// Tensors "<name>.<i>": the momentum buffer of parameters[i], where it has
// one, and scalar "<name>.buffers", how many have one.
void bind_sgd(StateFields& fields, const std::string& name, torch::optim::SGD& sgd,
              const std::vector<torch::Tensor>& parameters);

// Tensor `name`: the generator's state (libtorch's default CPU generator
// when `generator` is the default one). Loading a tensor that is not a
// generator's state fails through fields.fail (spaces::StateError).
void bind_generator(StateFields& fields, const std::string& name, at::Generator& generator);

// Tensor `name`: a copy of `value` (saving), copied back into `value`
// (loading; same shape required). For tensors later steps change in place.
void bind_tensor_copy(StateFields& fields, const std::string& name, torch::Tensor& value);

}  // namespace controllers
