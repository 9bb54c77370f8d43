#include "controllers/ridge_predictor.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <tuple>

#include "spaces/infra/number_text.h"
#include "spaces/infra/params.h"

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

RidgePredictor::RidgePredictor(spaces::SpacePtr space) : PerformancePredictor("ridge predictor", *space) {}

void RidgePredictor::fit_encoded(const torch::Tensor& x, const std::vector<double>& targets) {
  constexpr std::int64_t folds = 5;
  const auto n = static_cast<std::int64_t>(targets.size());
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
  std::tie(weights_, intercept_) = solve_ridge(x, y, penalty_);
}

torch::Tensor RidgePredictor::predict_encoded(const torch::Tensor& x) const { return x.mv(weights_) + intercept_; }

std::string RidgePredictor::summary() const {
  return "ridge regression (lambda " + spaces::to_string(spaces::ParamValue(penalty_)) + "); cross-validated RMSE " +
         spaces::fixed(validation_rmse_, 4);
}

}  // namespace controllers
