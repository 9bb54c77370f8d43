#pragma once
// k-fold cross-validation of a predictor's hyper-parameter, the one way
// the project's predictors choose theirs (ridge's penalty, SVR's C).
//
// A fold assignment gives each example its fold in [0, k). Two are used:
// - interleaved_folds: a seeded permutation dealt round-robin (the ridge
//   predictor's default);
// - contiguous_folds: consecutive blocks, the first n % k one larger, as
//   scikit-learn's KFold without shuffling, which GridSearchCV(cv=5) uses
//   for regressors (DyNAS-T's predictors).

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace controllers {

// How held-out predictions are scored; lower is better.
enum class CvScore {
  kRmse,  // root mean squared error, in the targets' units
  kMape,  // mean absolute percentage error, a fraction (scikit-learn's: |y - p| / max(|y|, eps))
};
std::string to_string(CvScore score);

// min(k, n) folds (at least 1; n = 0: none); interleaved_folds draws its
// permutation from `seed`.
std::vector<std::int64_t> interleaved_folds(std::int64_t n, std::int64_t k, std::uint64_t seed);
std::vector<std::int64_t> contiguous_folds(std::int64_t n, std::int64_t k);

// fit_predict(x_train [m, w], y_train [m], x_test [t, w]) -> [t] predictions, float64.
using FitPredict = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&)>;

// The mean over the folds of the score of `fit_predict`'s held-out
// predictions on each (GridSearchCV's mean test score; x [n, w] and y [n],
// float64). A fold that would leave fewer than
// 2 training examples is not held out; none can be (n < 3): NaN. Throws
// std::invalid_argument when folds.size() != n.
double cross_validated_score(const torch::Tensor& x, const torch::Tensor& y, const std::vector<std::int64_t>& folds,
                             CvScore score, const FitPredict& fit_predict);

}  // namespace controllers
