#include "controllers/mlp_predictor.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>

#include "controllers/rank_correlation.h"
#include "controllers/ridge_predictor.h"

namespace controllers {
namespace {

// Restores libtorch's global random state when it goes out of scope.
class KeepGlobalRandomState {
 public:
  KeepGlobalRandomState() : state_(generator().get_state()) {}
  ~KeepGlobalRandomState() { generator().set_state(state_); }
  KeepGlobalRandomState(const KeepGlobalRandomState&) = delete;
  KeepGlobalRandomState& operator=(const KeepGlobalRandomState&) = delete;

 private:
  static at::Generator generator() { return at::detail::getDefaultCPUGenerator(); }  // a handle, not a copy
  at::Tensor state_;
};

std::string number(double value, int digits) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(digits);
  out << value;
  return out.str();
}

}  // namespace

MlpPredictor::MlpPredictor(spaces::SpacePtr space, MlpPredictorOptions options)
    : space_(std::move(space)), options_(options), encoding_(*space_) {
  if (options_.layers < 1 || options_.hidden < 1 || options_.epochs < 1 || options_.batch_size < 1) {
    throw std::invalid_argument("mlp predictor: layers, hidden, epochs and batch_size must be positive");
  }
}

torch::Tensor MlpPredictor::forward(const torch::Tensor& x) const { return layers_->forward(x).squeeze(1) + base_; }

void MlpPredictor::fit(const std::vector<std::vector<std::int64_t>>& tokens, const std::vector<double>& targets) {
  if (tokens.size() != targets.size()) throw std::invalid_argument("mlp predictor: tokens and targets differ");
  const auto n = static_cast<std::int64_t>(tokens.size());
  if (n < 2) throw std::invalid_argument("mlp predictor: needs at least 2 examples, got " + std::to_string(n));
  validation_rmse_ = validation_tau_ = std::numeric_limits<double>::quiet_NaN();
  const torch::Tensor x = encoding_.encode(tokens, torch::kFloat, "mlp predictor");
  const torch::Tensor y = torch::tensor(targets, torch::kDouble).to(torch::kFloat);

  std::mt19937_64 rng(options_.seed);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  const std::int64_t held_out = n >= 10 ? n / 5 : 0;
  const std::vector<std::int64_t> train(order.begin() + held_out, order.end()),
      held(order.begin(), order.begin() + held_out);
  const torch::Tensor train_x = x.index_select(0, torch::tensor(train)),
                      train_y = y.index_select(0, torch::tensor(train));

  KeepGlobalRandomState keep;
  torch::manual_seed(options_.seed);
  layers_ = torch::nn::Sequential();
  std::int64_t in = encoding_.width();
  for (std::int64_t l = 0; l < options_.layers; ++l) {
    layers_->push_back(torch::nn::Linear(in, options_.hidden));
    layers_->push_back(torch::nn::ReLU());
    in = options_.hidden;
  }
  layers_->push_back(torch::nn::Linear(torch::nn::LinearOptions(in, 1).bias(false)));
  base_ = train_y.mean().item<double>();
  trained_on_ = static_cast<std::int64_t>(train.size());

  torch::optim::Adam adam(layers_->parameters(),
                          torch::optim::AdamOptions(options_.learning_rate).weight_decay(options_.weight_decay));
  layers_->train();
  std::vector<std::int64_t> rows(train.size());
  std::iota(rows.begin(), rows.end(), 0);
  for (std::int64_t epoch = 0; epoch < options_.epochs; ++epoch) {
    std::shuffle(rows.begin(), rows.end(), rng);
    for (std::size_t first = 0; first < rows.size(); first += static_cast<std::size_t>(options_.batch_size)) {
      const std::size_t last = std::min(rows.size(), first + static_cast<std::size_t>(options_.batch_size));
      const torch::Tensor batch = torch::tensor(std::vector<std::int64_t>(rows.begin() + first, rows.begin() + last));
      adam.zero_grad();
      const torch::Tensor loss =
          torch::mse_loss(forward(train_x.index_select(0, batch)), train_y.index_select(0, batch));
      loss.backward();
      adam.step();
    }
  }
  layers_->eval();

  if (held.empty()) return;
  std::vector<std::vector<std::int64_t>> held_tokens;
  std::vector<double> held_targets;
  for (std::int64_t i : held) {
    held_tokens.push_back(tokens[static_cast<std::size_t>(i)]);
    held_targets.push_back(targets[static_cast<std::size_t>(i)]);
  }
  const std::vector<double> predicted = predict(held_tokens);
  double squared = 0.0;
  for (std::size_t i = 0; i < predicted.size(); ++i) squared += std::pow(predicted[i] - held_targets[i], 2);
  validation_rmse_ = std::sqrt(squared / double(predicted.size()));
  validation_tau_ = kendall_tau(predicted, held_targets);
}

std::vector<double> MlpPredictor::predict(const std::vector<std::vector<std::int64_t>>& tokens) const {
  if (layers_.is_empty()) throw std::logic_error("mlp predictor: predict before fit");
  torch::NoGradGuard no_grad;
  const torch::Tensor p = forward(encoding_.encode(tokens, torch::kFloat, "mlp predictor")).to(torch::kDouble);
  return {p.data_ptr<double>(), p.data_ptr<double>() + p.numel()};
}

std::string MlpPredictor::summary() const {
  std::string text = "MLP " + std::to_string(options_.layers) + " x " + std::to_string(options_.hidden) +
                     " (OFA's accuracy predictor), trained on " + std::to_string(trained_on_) + " architectures";
  if (std::isnan(validation_rmse_)) return text + "; nothing held out";
  return text + "; held-out RMSE " + number(validation_rmse_, 4) + ", Kendall tau " + number(validation_tau_, 3);
}

std::vector<std::string> predictor_models() { return {"ridge", "mlp"}; }

std::unique_ptr<PerformancePredictor> make_predictor(const std::string& model, spaces::SpacePtr space,
                                                     std::uint64_t seed) {
  if (model == "ridge") return std::make_unique<RidgePredictor>(std::move(space));
  if (model == "mlp") return std::make_unique<MlpPredictor>(std::move(space), MlpPredictorOptions{.seed = seed});
  throw std::invalid_argument("unknown predictor model '" + model + "' (known: ridge, mlp)");
}

}  // namespace controllers
