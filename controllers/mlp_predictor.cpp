#include "controllers/mlp_predictor.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

#include "controllers/rank_correlation.h"
#include "spaces/infra/number_text.h"

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

}  // namespace

MlpPredictor::MlpPredictor(spaces::SpacePtr space, MlpPredictorOptions options)
    : PerformancePredictor("mlp predictor", *space), options_(options) {
  if (options_.layers < 1 || options_.hidden < 1 || options_.epochs < 1 || options_.batch_size < 1) {
    throw std::invalid_argument("mlp predictor: layers, hidden, epochs and batch_size must be positive");
  }
}

torch::Tensor MlpPredictor::forward(const torch::Tensor& x) const { return layers_->forward(x).squeeze(1) + base_; }

void MlpPredictor::fit_encoded(const torch::Tensor& encoded, const std::vector<double>& targets) {
  const auto n = static_cast<std::int64_t>(targets.size());
  validation_rmse_ = validation_tau_ = std::numeric_limits<double>::quiet_NaN();
  const torch::Tensor x = encoded.to(torch::kFloat);
  const torch::Tensor y = torch::tensor(targets, torch::kDouble).to(torch::kFloat);

  std::mt19937_64 rng(options_.seed);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  const std::int64_t held_out = n >= 10 ? n / 5 : 0;
  const torch::Tensor held = torch::tensor(std::vector<std::int64_t>(order.begin(), order.begin() + held_out));
  const torch::Tensor train = torch::tensor(std::vector<std::int64_t>(order.begin() + held_out, order.end()));
  const torch::Tensor train_x = x.index_select(0, train), train_y = y.index_select(0, train);

  KeepGlobalRandomState keep;
  torch::manual_seed(options_.seed);
  layers_ = torch::nn::Sequential();
  std::int64_t in = width();
  for (std::int64_t l = 0; l < options_.layers; ++l) {
    layers_->push_back(torch::nn::Linear(in, options_.hidden));
    layers_->push_back(torch::nn::ReLU());
    in = options_.hidden;
  }
  layers_->push_back(torch::nn::Linear(torch::nn::LinearOptions(in, 1).bias(false)));
  base_ = train_y.mean().item<double>();
  trained_on_ = train.numel();

  torch::optim::Adam adam(layers_->parameters(),
                          torch::optim::AdamOptions(options_.learning_rate).weight_decay(options_.weight_decay));
  layers_->train();
  std::vector<std::int64_t> rows(static_cast<std::size_t>(trained_on_));
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

  if (held_out == 0) return;
  const torch::Tensor predicted = predict_encoded(encoded.index_select(0, held));
  const torch::Tensor truth = torch::tensor(targets, torch::kDouble).index_select(0, held);
  validation_rmse_ = (predicted - truth).pow(2).mean().sqrt().item<double>();
  validation_tau_ =
      kendall_tau(std::vector<double>(predicted.data_ptr<double>(), predicted.data_ptr<double>() + held_out),
                  std::vector<double>(truth.data_ptr<double>(), truth.data_ptr<double>() + held_out));
}

torch::Tensor MlpPredictor::predict_encoded(const torch::Tensor& x) const {
  torch::NoGradGuard no_grad;
  return forward(x.to(torch::kFloat)).to(torch::kDouble);
}

std::string MlpPredictor::summary() const {
  std::string text = "MLP " + std::to_string(options_.layers) + " x " + std::to_string(options_.hidden) +
                     " (OFA's accuracy predictor), trained on " + std::to_string(trained_on_) + " architectures";
  if (std::isnan(validation_rmse_)) return text + "; nothing held out";
  return text + "; held-out RMSE " + spaces::fixed(validation_rmse_, 4) + ", Kendall tau " +
         spaces::fixed(validation_tau_, 3);
}

}  // namespace controllers
