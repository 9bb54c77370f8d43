#include "controllers/torch_state.h"

namespace controllers {
namespace {

// The optimizer-state key libtorch uses for a parameter.
std::string state_key(const torch::Tensor& parameter) { return c10::guts::to_string(parameter.unsafeGetTensorImpl()); }

}  // namespace

void bind_tensor_copy(StateFields& fields, const std::string& name, torch::Tensor& value) {
  torch::NoGradGuard no_grad;
  torch::Tensor stored = fields.saving() ? value.detach().clone() : torch::Tensor();
  fields.tensor(name, stored);
  if (fields.saving()) return;
  if (!stored.sizes().equals(value.sizes())) {
    fields.fail("tensor '" + fields.key(name) + "' has shape " + c10::str(stored.sizes()) + ", expected " +
                c10::str(value.sizes()));
  }
  value.copy_(stored);
}

void bind_module(StateFields& fields, const std::string& name, torch::nn::Module& module) {
  for (auto& item : module.named_parameters()) bind_tensor_copy(fields, name + "." + item.key(), item.value());
  for (auto& item : module.named_buffers()) bind_tensor_copy(fields, name + "." + item.key(), item.value());
}

void bind_adam(StateFields& fields, const std::string& name, torch::optim::Adam& adam,
               const std::vector<torch::Tensor>& parameters) {
  auto& states = adam.state();
  if (fields.loading()) states.clear();
  // How many parameters have a state, so that a lost one is noticed.
  std::int64_t with_state = 0, found = 0;
  for (const auto& p : parameters) with_state += states.count(state_key(p)) > 0 ? 1 : 0;
  fields.integer(name + ".states", with_state);
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const std::string prefix = name + "." + std::to_string(i) + ".";
    const std::string key = state_key(parameters[i]);
    torch::Tensor exp_avg, exp_avg_sq;
    std::int64_t step = 0;
    if (fields.saving()) {
      const auto it = states.find(key);
      if (it == states.end()) continue;  // never stepped
      const auto& state = static_cast<const torch::optim::AdamParamState&>(*it->second);
      exp_avg = state.exp_avg().clone();
      exp_avg_sq = state.exp_avg_sq().clone();
      step = state.step();
    } else if (!fields.has_tensor(prefix + "exp_avg")) {
      continue;
    }
    fields.tensor(prefix + "exp_avg", exp_avg);
    fields.tensor(prefix + "exp_avg_sq", exp_avg_sq);
    fields.integer(prefix + "step", step);
    ++found;
    if (fields.saving()) continue;
    if (!exp_avg.sizes().equals(parameters[i].sizes()) || !exp_avg_sq.sizes().equals(parameters[i].sizes())) {
      fields.fail("Adam moments '" + fields.key(prefix) + "*' have another shape than their parameter " +
                  c10::str(parameters[i].sizes()));
    }
    auto state = std::make_unique<torch::optim::AdamParamState>();
    state->exp_avg(exp_avg.clone());
    state->exp_avg_sq(exp_avg_sq.clone());
    state->step(step);
    states[key] = std::move(state);
  }
  if (found != with_state) {
    fields.fail("'" + fields.key(name) + "' holds Adam state for " + std::to_string(found) + " parameters, expected " +
                std::to_string(with_state));
  }
}

void bind_sgd(StateFields& fields, const std::string& name, torch::optim::SGD& sgd,
              const std::vector<torch::Tensor>& parameters) {
  auto& states = sgd.state();
  // How many parameters have a momentum buffer, so that a lost one is noticed.
  std::int64_t with_buffer = 0, found = 0;
  for (const auto& p : parameters) {
    const auto it = states.find(state_key(p));
    with_buffer +=
        it != states.end() && static_cast<const torch::optim::SGDParamState&>(*it->second).momentum_buffer().defined()
            ? 1
            : 0;
  }
  fields.integer(name + ".buffers", with_buffer);
  if (fields.loading()) states.clear();
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const std::string key = name + "." + std::to_string(i);
    torch::Tensor buffer;
    if (fields.saving()) {
      const auto it = states.find(state_key(parameters[i]));
      if (it == states.end()) continue;
      buffer = static_cast<const torch::optim::SGDParamState&>(*it->second).momentum_buffer();
      if (!buffer.defined()) continue;
      buffer = buffer.clone();
    } else if (!fields.has_tensor(key)) {
      continue;
    }
    fields.tensor(key, buffer);
    ++found;
    if (fields.saving()) continue;
    if (!buffer.sizes().equals(parameters[i].sizes())) {
      fields.fail("tensor '" + fields.key(key) + "' has shape " + c10::str(buffer.sizes()) + ", expected " +
                  c10::str(parameters[i].sizes()));
    }
    auto state = std::make_unique<torch::optim::SGDParamState>();
    state->momentum_buffer(buffer.clone());
    states[state_key(parameters[i])] = std::move(state);
  }
  if (found != with_buffer) {
    fields.fail("'" + fields.key(name) + "' holds momentum for " + std::to_string(found) + " parameters, expected " +
                std::to_string(with_buffer));
  }
}

void bind_generator(StateFields& fields, const std::string& name, at::Generator& generator) {
  torch::Tensor state = fields.saving() ? generator.get_state() : torch::Tensor();
  fields.tensor(name, state);
  if (fields.saving()) return;
  try {
    generator.set_state(state);
  } catch (const c10::Error& e) {
    fields.fail(name + ": not a random generator's state (" + e.what_without_backtrace() + ")");
  }
}

}  // namespace controllers
