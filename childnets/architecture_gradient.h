#pragma once
// The gradient of DARTS's architecture objective with respect to the
// architecture parameters α, as quark0/darts's architect.py computes it,
// over a supernet (supernet.h). The mixing weights come from a function of
// α (DARTS: its softmax per edge) that builds a fresh graph each call, so
// childnets never sees the controller that owns α.
//
// First order (DARTS's default): ∇α L_val(w, α) on one validation batch.
// Only α's gradient is computed (DARTS's loss.backward() also fills the
// weights' gradients, which its next step discards).
//
// Second order (--unrolled): with the virtual step
//   w' = w - lr * (momentum * m + ∇w L_train(w, α) + weight_decay * w)
// (m: SGD's momentum buffer, zero before the first step; lr: the weights'
// current learning rate),
//   dα = ∇α L_val(w', α) - lr * (∇α L_train(w⁺, α) - ∇α L_train(w⁻, α)) / (2ε)
// with v = ∇w' L_val(w', α), w± = w ± ε v and ε = 0.01 / ‖v‖₂. DARTS builds
// a second network for w'; here the one network's weights are overwritten
// with w', w⁺ and w⁻ in turn and restored exactly from a copy.
//
// Batch norms run in training mode throughout (batch statistics), as in
// DARTS; their running statistics move with every forward pass.

#include <torch/torch.h>

#include <functional>
#include <vector>

#include "childnets/child_network.h"

namespace childnets {

struct ArchitectureGradient {
  std::vector<torch::Tensor> gradients;  // one per architecture parameter, of its shape
  double validation_loss = 0.0;          // L_val at w (first order) or at w' (second order): the loss differentiated
  double validation_accuracy = 0.0;      // on the validation batch, same weights
};

// Builds the edge weights ([edges, ops] per cell type) from the architecture parameters.
using EdgeWeightsFunction = std::function<std::vector<torch::Tensor>()>;

// The architecture objective from the validation batch's mean cross-entropy
// (a 0-d tensor) and the edge weights the forward pass ran (FBNet adds the
// expected latency of those weights; controllers::DifferentiableController::
// architecture_loss). Empty: the cross-entropy itself (DARTS).
using ArchitectureLoss =
    std::function<torch::Tensor(const torch::Tensor& cross_entropy, const std::vector<torch::Tensor>& edge_weights)>;

// images [batch, channels, size, size] float, labels [batch] int64 in
// [0, classes); `architecture_parameters` are the leaves edge_weights()
// is computed from (gradients come back in their order and shapes). Throws
// c10::Error where the images do not fit the supernet's input. L_val is
// `loss` of the cross-entropy and the weights (edge_weights() is called once).
ArchitectureGradient first_order_gradient(ChildNetworkImpl& supernet, const EdgeWeightsFunction& edge_weights,
                                          const std::vector<torch::Tensor>& architecture_parameters,
                                          const torch::Tensor& valid_images, const torch::Tensor& valid_labels,
                                          const ArchitectureLoss& loss = {});

// The virtual weight step's settings: the weights' SGD as it stands.
// Defaults: DARTS's train_search.py (--learning_rate 0.025, --momentum 0.9,
// --weight_decay 3e-4); the caller passes the current values. Plain
// momentum as architect.py's _compute_unrolled_model (no Nesterov term).
struct VirtualStep {
  double lr = 0.025;
  double momentum = 0.9;
  double weight_decay = 3e-4;
  const torch::optim::SGD* sgd = nullptr;  // its momentum buffers (none: zeros)
};

// The weights w are supernet.parameters() that take gradient; `step.sgd`,
// when given, must be the optimizer over exactly those tensors (its
// momentum buffer per tensor is looked up by identity). Images as for
// first_order_gradient, train and valid batches of any sizes. On return,
// and also when it throws (libtorch's c10::Error on mismatched shapes),
// the weights hold their values from the call's start, bit for bit; only
// the batch norms' running statistics have moved. Where ‖v‖ = 0 (L_val flat
// in w) the result is the first term alone.
ArchitectureGradient second_order_gradient(ChildNetworkImpl& supernet, const EdgeWeightsFunction& edge_weights,
                                           const std::vector<torch::Tensor>& architecture_parameters,
                                           const torch::Tensor& train_images, const torch::Tensor& train_labels,
                                           const torch::Tensor& valid_images, const torch::Tensor& valid_labels,
                                           const VirtualStep& step);

}  // namespace childnets
