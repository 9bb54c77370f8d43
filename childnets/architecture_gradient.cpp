#include "childnets/architecture_gradient.h"

#include "childnets/training.h"

#include <cmath>

namespace childnets {
namespace {

std::vector<torch::Tensor> detached(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> result;
  for (const torch::Tensor& t : tensors) result.push_back(t.detach());
  return result;
}

// The gradients of `loss` with respect to `inputs` (zeros for an input the
// loss does not reach), without touching any tensor's .grad.
std::vector<torch::Tensor> gradients_of(const torch::Tensor& loss, const std::vector<torch::Tensor>& inputs) {
  std::vector<torch::Tensor> grads = torch::autograd::grad({loss}, inputs, /*grad_outputs=*/{},
                                                           /*retain_graph=*/false, /*create_graph=*/false,
                                                           /*allow_unused=*/true);
  for (std::size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) grads[i] = torch::zeros_like(inputs[i]);
  }
  return grads;
}

// Sets every parameter to base[i] + scale * direction[i].
void set_parameters(const std::vector<torch::Tensor>& parameters, const std::vector<torch::Tensor>& base,
                    const std::vector<torch::Tensor>& direction, double scale) {
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    parameters[i].copy_(base[i]);
    if (scale != 0.0) parameters[i].add_(direction[i], scale);
  }
}

// Puts the weights back to their saved values on every way out of
// second_order_gradient (the virtual step and the finite differences move
// them in place; an early return or an exception must not leave them at w').
class WeightsRestorer {
 public:
  WeightsRestorer(const std::vector<torch::Tensor>& weights, const std::vector<torch::Tensor>& saved)
      : weights_(weights), saved_(saved) {}
  WeightsRestorer(const WeightsRestorer&) = delete;
  WeightsRestorer& operator=(const WeightsRestorer&) = delete;
  ~WeightsRestorer() { set_parameters(weights_, saved_, saved_, 0.0); }

 private:
  const std::vector<torch::Tensor>& weights_;
  const std::vector<torch::Tensor>& saved_;
};

}  // namespace

ArchitectureGradient first_order_gradient(ChildNetworkImpl& supernet, const EdgeWeightsFunction& edge_weights,
                                          const std::vector<torch::Tensor>& architecture_parameters,
                                          const torch::Tensor& valid_images, const torch::Tensor& valid_labels,
                                          const ArchitectureLoss& loss_of) {
  supernet.train();
  const std::vector<torch::Tensor> mixing = edge_weights();
  const ChildOutput output = supernet.forward_mixed(valid_images, mixing);
  const torch::Tensor cross_entropy = classification_loss(output.logits, valid_labels);
  const torch::Tensor loss = loss_of ? loss_of(cross_entropy, mixing) : cross_entropy;
  ArchitectureGradient result;
  result.validation_loss = loss.item<double>();
  result.validation_accuracy = accuracy_of(output.logits.detach(), valid_labels);
  result.gradients = gradients_of(loss, architecture_parameters);
  return result;
}

ArchitectureGradient second_order_gradient(ChildNetworkImpl& supernet, const EdgeWeightsFunction& edge_weights,
                                           const std::vector<torch::Tensor>& architecture_parameters,
                                           const torch::Tensor& train_images, const torch::Tensor& train_labels,
                                           const torch::Tensor& valid_images, const torch::Tensor& valid_labels,
                                           const VirtualStep& step) {
  supernet.train();
  const std::vector<torch::Tensor> weights = supernet.trainable_parameters();
  const auto train_loss = [&](const std::vector<torch::Tensor>& mixing) {
    return classification_loss(supernet.forward_mixed(train_images, mixing).logits, train_labels);
  };
  // ∇w L_train(w, α), α held constant.
  const std::vector<torch::Tensor> weight_gradient = gradients_of(train_loss(detached(edge_weights())), weights);
  std::vector<torch::Tensor> saved;
  for (const torch::Tensor& w : weights) saved.push_back(w.detach().clone());
  const WeightsRestorer restore(weights, saved);

  // The virtual step w' = w - lr * (momentum * m + g + weight_decay * w).
  std::vector<torch::Tensor> virtual_step;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    torch::Tensor direction = weight_gradient[i] + step.weight_decay * saved[i];
    if (step.sgd != nullptr) {
      const auto& states = step.sgd->state();
      const auto it = states.find(c10::guts::to_string(weights[i].unsafeGetTensorImpl()));
      if (it != states.end()) {
        const torch::Tensor& buffer = static_cast<const torch::optim::SGDParamState&>(*it->second).momentum_buffer();
        if (buffer.defined()) direction = direction + step.momentum * buffer;
      }
    }
    virtual_step.push_back(direction);
  }
  set_parameters(weights, saved, virtual_step, -step.lr);

  // ∇α and ∇w' of L_val(w', α).
  ArchitectureGradient result;
  std::vector<torch::Tensor> v;
  {
    const ChildOutput output = supernet.forward_mixed(valid_images, edge_weights());
    const torch::Tensor loss = classification_loss(output.logits, valid_labels);
    result.validation_loss = loss.item<double>();
    result.validation_accuracy = accuracy_of(output.logits.detach(), valid_labels);
    std::vector<torch::Tensor> inputs = architecture_parameters;
    inputs.insert(inputs.end(), weights.begin(), weights.end());
    std::vector<torch::Tensor> grads = gradients_of(loss, inputs);
    result.gradients.assign(grads.begin(), grads.begin() + static_cast<std::ptrdiff_t>(architecture_parameters.size()));
    v.assign(grads.begin() + static_cast<std::ptrdiff_t>(architecture_parameters.size()), grads.end());
  }

  // The finite-difference Hessian-vector product at w (architect.py's r = 1e-2).
  double norm_squared = 0.0;
  for (const torch::Tensor& t : v) norm_squared += t.pow(2).sum().item<double>();
  if (norm_squared == 0.0) return result;  // L_val is flat in w: no second-order term
  const double epsilon = 0.01 / std::sqrt(norm_squared);
  set_parameters(weights, saved, v, epsilon);
  const std::vector<torch::Tensor> plus = gradients_of(train_loss(edge_weights()), architecture_parameters);
  set_parameters(weights, saved, v, -epsilon);
  const std::vector<torch::Tensor> minus = gradients_of(train_loss(edge_weights()), architecture_parameters);
  for (std::size_t i = 0; i < result.gradients.size(); ++i) {
    result.gradients[i] = result.gradients[i] - step.lr * (plus[i] - minus[i]) / (2.0 * epsilon);
  }
  return result;
}

}  // namespace childnets
