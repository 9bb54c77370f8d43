#include "controllers/ridge_predictor.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
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

RidgeOptions dynas_ridge_options() {
  RidgeOptions options;
  options.penalties.clear();
  for (int i = 1; i <= 100; ++i) options.penalties.push_back(double(i) / 10.0);
  options.contiguous_folds = true;
  options.score = CvScore::kMape;
  return options;
}

RidgePredictor::RidgePredictor(spaces::SpacePtr space, RidgeOptions options)
    : PerformancePredictor("ridge predictor", *space), options_(std::move(options)) {
  if (options_.penalties.empty()) throw std::invalid_argument("ridge predictor: no penalties to choose from");
  for (double p : options_.penalties) {
    if (!(p > 0.0)) throw std::invalid_argument("ridge predictor: penalties must be positive");
  }
  if (options_.folds < 2) throw std::invalid_argument("ridge predictor: at least 2 folds");
}

void RidgePredictor::fit_encoded(const torch::Tensor& x, const std::vector<double>& targets) {
  const auto n = static_cast<std::int64_t>(targets.size());
  const torch::Tensor y = torch::tensor(targets, torch::kDouble);
  const std::vector<std::int64_t> folds =
      options_.contiguous_folds ? contiguous_folds(n, options_.folds) : interleaved_folds(n, options_.folds, 0);
  // Too few examples to hold any out (NaN scores): the first penalty.
  penalty_ = options_.penalties.front();
  validation_score_ = std::numeric_limits<double>::quiet_NaN();
  for (double penalty : options_.penalties) {
    const double score = cross_validated_score(
        x, y, folds, options_.score, [&](const torch::Tensor& xt, const torch::Tensor& yt, const torch::Tensor& xh) {
          const auto [w, b] = solve_ridge(xt, yt, penalty);
          return xh.mv(w) + b;
        });
    if (!std::isnan(score) && (std::isnan(validation_score_) || score < validation_score_)) {
      validation_score_ = score;
      penalty_ = penalty;
    }
  }
  std::tie(weights_, intercept_) = solve_ridge(x, y, penalty_);
}

torch::Tensor RidgePredictor::predict_encoded(const torch::Tensor& x) const { return x.mv(weights_) + intercept_; }

std::string RidgePredictor::summary() const {
  return "ridge regression (lambda " + spaces::to_string(spaces::ParamValue(penalty_)) + "); cross-validated " +
         to_string(options_.score) + " " + spaces::fixed(validation_score_, 4);
}

}  // namespace controllers
