#include "childnets/training.h"

#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>

namespace childnets {
namespace {

namespace F = torch::nn::functional;

constexpr double kPi = 3.14159265358979323846;

// One optimizer step on the loss of what `forward` computes (main head,
// plus the auxiliary head's weighted loss when there is one).
StepResult optimise(ChildNetworkImpl& network, torch::optim::Optimizer& optimizer, const torch::Tensor& labels,
                    const StepOptions& options, const std::function<ChildOutput()>& forward) {
  network.train();
  zero_grad_set_to_none(*network.store());
  const ChildOutput output = forward();
  torch::Tensor loss = classification_loss(output.logits, labels, options.label_smoothing());
  torch::Tensor total = loss;
  if (output.aux_logits.defined()) {
    total = total + options.aux_weight() * classification_loss(output.aux_logits, labels, options.label_smoothing());
  }
  total.backward();
  StepResult result;
  const auto parameters = network.trainable_parameters();
  if (options.reduce_gradients()) {
    std::vector<torch::Tensor> gradients;
    for (const torch::Tensor& p : parameters) {
      if (p.grad().defined()) gradients.push_back(p.grad());
    }
    options.reduce_gradients()(gradients);
  }
  result.grad_norm = torch::nn::utils::clip_grad_norm_(
      parameters, options.grad_clip() > 0.0 ? options.grad_clip() : std::numeric_limits<double>::infinity());
  optimizer.step();
  result.loss = loss.item<double>();
  result.accuracy = accuracy_of(output.logits, labels);
  return result;
}

}  // namespace

torch::Tensor classification_loss(const torch::Tensor& logits, const torch::Tensor& labels, double label_smoothing) {
  return F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().label_smoothing(label_smoothing));
}

double accuracy_of(const torch::Tensor& logits, const torch::Tensor& labels) {
  return logits.argmax(1).eq(labels).to(torch::kDouble).mean().item<double>();
}

std::unique_ptr<torch::optim::SGD> make_sgd(const std::vector<torch::Tensor>& parameters, const SgdOptions& options) {
  const auto sgd_options = [&](double weight_decay) {
    return torch::optim::SGDOptions(options.lr())
        .momentum(options.momentum())
        .nesterov(options.nesterov())
        .weight_decay(weight_decay);
  };
  if (options.decay_all()) return std::make_unique<torch::optim::SGD>(parameters, sgd_options(options.weight_decay()));
  std::vector<torch::Tensor> decayed, free;
  for (const torch::Tensor& p : parameters) (p.dim() >= 2 ? decayed : free).push_back(p);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (!decayed.empty()) {
    groups.emplace_back(decayed, std::make_unique<torch::optim::SGDOptions>(sgd_options(options.weight_decay())));
  }
  if (!free.empty()) groups.emplace_back(free, std::make_unique<torch::optim::SGDOptions>(sgd_options(0.0)));
  return std::make_unique<torch::optim::SGD>(std::move(groups), sgd_options(options.weight_decay()));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

double learning_rate(const torch::optim::Optimizer& optimizer) {
  if (optimizer.param_groups().empty()) throw std::invalid_argument("learning_rate: an optimizer without parameters");
  return optimizer.param_groups().front().options().get_lr();
}

StepResult train_step(ChildNetworkImpl& network, torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                      const torch::Tensor& labels, const spaces::ArchGraph& graph, const StepOptions& options) {
  return optimise(network, optimizer, labels, options,
                  [&] { return network.forward(images, graph, options.drop_path()); });
}

StepResult mixed_train_step(ChildNetworkImpl& network, torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                            const torch::Tensor& labels, const std::vector<torch::Tensor>& edge_weights,
                            const StepOptions& options) {
  std::vector<torch::Tensor> constant;
  for (const torch::Tensor& w : edge_weights) constant.push_back(w.detach());
  return optimise(network, optimizer, labels, options, [&] { return network.forward_mixed(images, constant); });
}

EvalResult evaluate(ChildNetworkImpl& network, const torch::Tensor& images, const torch::Tensor& labels,
                    const spaces::ArchGraph& graph, bool batch_statistics) {
  const bool was_training = network.is_training();
  network.eval();
  EvalResult result;
  {
    torch::InferenceMode inference;
    std::optional<BatchStatisticsScope> scope;
    if (batch_statistics) scope.emplace();
    const torch::Tensor logits = network.forward(images, graph).logits;
    result.loss = classification_loss(logits, labels).item<double>();
    result.correct = logits.argmax(1).eq(labels).sum().item<std::int64_t>();
    result.count = labels.size(0);
  }
  network.train(was_training);
  return result;
}

void recalibrate_batch_norm(ChildNetworkImpl& network, const spaces::ArchGraph& graph,
                            const std::function<torch::Tensor()>& next_images, std::int64_t batches) {
  std::vector<std::pair<BatchNormImpl*, double>> norms;  // with the momentum each had
  for (const auto& module : network.store()->modules(/*include_self=*/false)) {
    if (auto* bn = dynamic_cast<BatchNormImpl*>(module.get())) {
      bn->reset_running_statistics();
      norms.emplace_back(bn, bn->options.momentum());
    }
  }
  const bool was_training = network.is_training();
  network.train();
  {
    torch::NoGradGuard no_grad;
    for (std::int64_t i = 0; i < batches; ++i) {
      // Momentum 1 / (i + 1): after batch i the running statistics are the mean of batches 0..i.
      for (auto& [bn, momentum] : norms) bn->options.momentum(1.0 / double(i + 1));
      network.forward(next_images(), graph);
    }
  }
  for (auto& [bn, momentum] : norms) bn->options.momentum(momentum);
  network.train(was_training);
}

EvalResult evaluate_in_batches(ChildNetworkImpl& network, const spaces::ArchGraph& graph, const torch::Tensor& images,
                               const torch::Tensor& labels, std::int64_t batch_size, bool batch_statistics) {
  EvalResult total;
  for (std::int64_t begin = 0; begin < images.size(0); begin += batch_size) {
    const std::int64_t n = std::min(batch_size, images.size(0) - begin);
    total += evaluate(network, images.narrow(0, begin, n), labels.narrow(0, begin, n), graph, batch_statistics);
  }
  return total;
}

EvalResult& EvalResult::operator+=(const EvalResult& part) {
  const std::int64_t images = count + part.count;
  loss = images == 0 ? 0.0 : (loss * double(count) + part.loss * double(part.count)) / double(images);
  correct += part.correct;
  count = images;
  return *this;
}

double cosine_lr(double epoch, double total_epochs, double lr_max, double lr_min) {
  const double progress = std::clamp(epoch / total_epochs, 0.0, 1.0);
  return lr_min + 0.5 * (lr_max - lr_min) * (1.0 + std::cos(kPi * progress));
}

double cosine_restarts_lr(double epoch, double lr_max, double lr_min, double t0, double t_mul) {
  double period = t0, start = 0.0;
  while (epoch >= start + period) {
    start += period;
    period *= t_mul;
  }
  return lr_min + 0.5 * (lr_max - lr_min) * (1.0 + std::cos(kPi * (epoch - start) / period));
}

double linear_drop_path(double epoch, double total_epochs, double max_probability) {
  return max_probability * std::clamp(epoch / total_epochs, 0.0, 1.0);
}

}  // namespace childnets
