#include "controllers/ridge_predictor.h"

#include <torch/torch.h>

#include <cmath>
#include <iomanip>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>

namespace controllers {
namespace {

// The ridge solution on (x, y): weights and intercept (x and y centred, the intercept unpenalised).
std::pair<torch::Tensor, double> solve_ridge(const torch::Tensor& x, const torch::Tensor& y, double penalty) {
  const torch::Tensor x_mean = x.mean(0), y_mean = y.mean();
  const torch::Tensor xc = x - x_mean, yc = y - y_mean;
  const torch::Tensor gram = xc.t().mm(xc) + penalty * torch::eye(x.size(1), torch::kDouble);
  const torch::Tensor w = torch::linalg_solve(gram, xc.t().mv(yc));
  return {w, (y_mean - x_mean.dot(w)).item<double>()};
}

}  // namespace

RidgePredictor::RidgePredictor(spaces::SpacePtr space) : space_(std::move(space)), encoding_(*space_) {}

void RidgePredictor::fit(const std::vector<std::vector<std::int64_t>>& tokens, const std::vector<double>& targets,
                         std::int64_t folds) {
  if (tokens.size() != targets.size()) throw std::invalid_argument("ridge predictor: tokens and targets differ");
  const auto n = static_cast<std::int64_t>(tokens.size());
  if (n < 2) throw std::invalid_argument("ridge predictor: needs at least 2 examples, got " + std::to_string(n));
  const torch::Tensor x = encoding_.encode(tokens, torch::kDouble, "ridge predictor");
  const torch::Tensor y = torch::tensor(targets, torch::kDouble);
  // Folds of a fixed permutation, so a fit is reproducible.
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(0);
  for (std::size_t i = order.size() - 1; i > 0; --i) {
    std::swap(order[i], order[std::uniform_int_distribution<std::size_t>(0, i)(rng)]);
  }
  const std::int64_t k = std::min(folds, n);
  double best = std::numeric_limits<double>::infinity();
  for (double penalty = 1e-3; penalty <= 1e3 * 1.0001; penalty *= 10.0) {
    double squared = 0.0;
    for (std::int64_t fold = 0; fold < k; ++fold) {
      std::vector<std::int64_t> train, held;
      for (std::int64_t i = 0; i < n; ++i) (i % k == fold ? held : train).push_back(order[static_cast<std::size_t>(i)]);
      if (train.size() < 2) continue;
      const torch::Tensor tr = torch::tensor(train), he = torch::tensor(held);
      const auto [w, b] = solve_ridge(x.index_select(0, tr), y.index_select(0, tr), penalty);
      squared += (x.index_select(0, he).mv(w) + b - y.index_select(0, he)).pow(2).sum().item<double>();
    }
    const double rmse = std::sqrt(squared / double(n));
    if (rmse < best) {
      best = rmse;
      penalty_ = penalty;
    }
  }
  validation_rmse_ = best;
  const auto [w, b] = solve_ridge(x, y, penalty_);
  weights_.assign(w.data_ptr<double>(), w.data_ptr<double>() + w.numel());
  intercept_ = b;
  fitted_ = true;
}

std::vector<double> RidgePredictor::predict(const std::vector<std::vector<std::int64_t>>& tokens) const {
  if (!fitted_) throw std::logic_error("ridge predictor: predict before fit");
  const torch::Tensor x = encoding_.encode(tokens, torch::kDouble, "ridge predictor");
  const torch::Tensor p = x.mv(torch::tensor(weights_, torch::kDouble)) + intercept_;
  return {p.data_ptr<double>(), p.data_ptr<double>() + p.numel()};
}

std::string RidgePredictor::summary() const {
  std::ostringstream text;
  text << "ridge regression (lambda " << penalty_ << "); cross-validated RMSE " << std::fixed << std::setprecision(4)
       << validation_rmse_;
  return text.str();
}

}  // namespace controllers
