#pragma once
// Training and evaluation steps for child networks, and the schedules the
// papers use. A shared-weight step (ENAS) touches only the sampled path:
// gradients are reset to undefined before the backward pass, the SGD of
// libtorch skips parameters without a gradient, so weights off the path get
// neither momentum nor weight decay.

#include <torch/torch.h>

#include <functional>

#include <memory>

#include "childnets/child_network.h"

namespace childnets {

struct SgdOptions {
  TORCH_ARG(double, lr) = 0.05;
  TORCH_ARG(double, momentum) = 0.9;
  TORCH_ARG(bool, nesterov) = true;
  TORCH_ARG(double, weight_decay) = 1e-4;
  // Weight decay on every tensor (true), or only on those of two or more
  // dimensions (false: no decay on biases and batch-norm scales and
  // shifts, as SPOS's get_parameters, SinglePathOneShot utils.py:81-95).
  TORCH_ARG(bool, decay_all) = true;
};

// SGD over `parameters`: one group, or with decay_all() false two (the
// tensors of >= 2 dimensions with weight decay, the others without).
std::unique_ptr<torch::optim::SGD> make_sgd(const std::vector<torch::Tensor>& parameters, const SgdOptions& options);
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);
// The first parameter group's learning rate (what set_learning_rate set).
// Throws std::invalid_argument for an optimizer without parameter groups.
double learning_rate(const torch::optim::Optimizer& optimizer);

// Called between the backward pass and gradient clipping with the defined
// gradients of the network's trainable parameters, in their order, to
// change in place: data-parallel training averages them over the ranks
// (experiments/distributed/world.h), so that every rank clips and steps on
// the gradient of the global batch.
using GradientHook = std::function<void(std::vector<torch::Tensor>& gradients)>;

struct StepOptions {
  TORCH_ARG(double, grad_clip) = 5.0;                   // max global gradient norm; 0 disables (ENAS clips at 5)
  TORCH_ARG(double, aux_weight) = 0.4;                  // weight of the auxiliary head's loss, when there is one
  TORCH_ARG(double, label_smoothing) = 0.0;             // 0: plain cross-entropy
  TORCH_ARG(double, drop_path) = 0.0;                   // probability for this step (see linear_drop_path)
  TORCH_ARG(GradientHook, reduce_gradients) = nullptr;  // none: the gradients stay as computed
};

struct StepResult {
  double loss = 0.0;       // main head's loss
  double accuracy = 0.0;   // on the training batch, before the update
  double grad_norm = 0.0;  // before clipping
};

// One SGD step of `network` on (images, labels) running `graph`.
StepResult train_step(ChildNetworkImpl& network, torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                      const torch::Tensor& labels, const spaces::ArchGraph& graph, const StepOptions& options);
// One SGD step of a supernet's weights on its relaxed graph (supernet.h),
// with the edge weights held constant: no gradient reaches them (DARTS's
// weight step; its architecture step is architecture_gradient.h's).
// images [batch, channels, size, size] float, labels [batch] int64;
// edge_weights {normal, reduce}, each [edges, ops] (supernet.h). Throws
// std::invalid_argument for edge weights of another shape.
StepResult mixed_train_step(ChildNetworkImpl& network, torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                            const torch::Tensor& labels, const std::vector<torch::Tensor>& edge_weights,
                            const StepOptions& options);

struct EvalResult {
  double loss = 0.0;
  std::int64_t correct = 0;
  std::int64_t count = 0;
  double accuracy() const { return count == 0 ? 0.0 : double(correct) / double(count); }
  // Adds another batch's result: answers summed, loss averaged over all images.
  EvalResult& operator+=(const EvalResult& part);
};

// Loss and accuracy under torch::InferenceMode, in eval mode; restores the
// network's previous mode. batch_statistics: normalise with the batch's own
// statistics (BatchStatisticsScope), as weight-sharing rewards should.
EvalResult evaluate(ChildNetworkImpl& network, const torch::Tensor& images, const torch::Tensor& labels,
                    const spaces::ArchGraph& graph, bool batch_statistics = false);

// evaluate() over a whole set of images [N, C, H, W], `batch_size` at a
// time: loss averaged over the images, correct answers summed.
EvalResult evaluate_in_batches(ChildNetworkImpl& network, const spaces::ArchGraph& graph, const torch::Tensor& images,
                               const torch::Tensor& labels, std::int64_t batch_size, bool batch_statistics = false);

// SPOS's batch-norm recalibration (SinglePathOneShot src/Search/tester.py:
// 52-72): every batch norm of the network's store has its running
// statistics reset, then `graph` runs forward in training mode, without
// gradients, on `batches` minibatches from `next_images` (each [batch,
// channels, size, size]), so the running statistics become this
// architecture's: the plain mean of the batches' statistics (PyTorch's
// momentum=None; SPOS's adjust_bn_momentum, written but unused). SPOS
// itself keeps the exponential average at momentum 0.1, which after its
// 200 batches has forgotten the reset values; after 20 it still holds 12 %
// of them, and on a Fashion-MNIST supernet that scored every candidate
// near chance (13 % against 65 % at 200 batches). Restores the network's
// mode and each batch norm's momentum.
void recalibrate_batch_norm(ChildNetworkImpl& network, const spaces::ArchGraph& graph,
                            const std::function<torch::Tensor()>& next_images, std::int64_t batches);

// Cross-entropy (with label smoothing) of logits [batch, classes] against labels [batch].
torch::Tensor classification_loss(const torch::Tensor& logits, const torch::Tensor& labels,
                                  double label_smoothing = 0.0);
// Share of rows of logits [batch, classes] whose argmax is the label.
double accuracy_of(const torch::Tensor& logits, const torch::Tensor& labels);

// Plain cosine from lr_max at epoch 0 to lr_min at total_epochs (DARTS).
double cosine_lr(double epoch, double total_epochs, double lr_max, double lr_min);
// SGDR, cosine with warm restarts (ENAS): the first period lasts t0 epochs,
// each next one t_mul times longer; `epoch` may be fractional.
double cosine_restarts_lr(double epoch, double lr_max, double lr_min, double t0, double t_mul);
// DARTS's drop-path schedule: max_probability * epoch / total_epochs.
double linear_drop_path(double epoch, double total_epochs, double max_probability);

}  // namespace childnets
