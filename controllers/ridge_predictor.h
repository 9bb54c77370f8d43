#pragma once
// RidgePredictor: a linear model of one metric of an architecture, over
// its tokens one-hot encoded (one_hot_encoding.h), fitted by ridge
// regression (the intercept unpenalised). The penalty is chosen by k-fold
// cross-validation (cross_validation.h) from a grid:
// - by default (model "ridge") decades 1e-3 .. 1e3, 5 interleaved folds,
//   RMSE;
// - DyNAS-T's grid (dynast/predictors/dynamic_predictor.py:24-95: Ridge
//   alpha 0.1, 0.2, .. 10.0 in GridSearchCV, 5 unshuffled folds, MAPE) is
//   dynas_ridge_options(), used by the "dynas" model.
// The linear algebra is libtorch's (float64 solve).

#include <cstdint>
#include <vector>

#include "controllers/cross_validation.h"
#include "controllers/performance_predictor.h"
#include "spaces/search_space.h"

namespace controllers {

struct RidgeOptions {
  std::vector<double> penalties = {1e-3, 1e-2, 1e-1, 1.0, 1e1, 1e2, 1e3};
  bool contiguous_folds = false;  // false: interleaved folds of a permutation seeded with 0
  std::int64_t folds = 5;
  CvScore score = CvScore::kRmse;
};
// DyNAS-T's: penalties 0.1 .. 10.0 in steps of 0.1, 5 contiguous folds, MAPE.
RidgeOptions dynas_ridge_options();

class RidgePredictor : public PerformancePredictor {
 public:
  // Throws std::invalid_argument for an empty or non-positive penalty grid
  // or fewer than 2 folds.
  explicit RidgePredictor(spaces::SpacePtr space, RidgeOptions options = {});

  std::string summary() const override;

  double penalty() const { return penalty_; }  // the chosen lambda
  // Its cross-validated error (options' score: RMSE in the targets' units,
  // or MAPE a fraction); NaN when too few examples to hold any out.
  double validation_score() const { return validation_score_; }

 protected:
  void fit_encoded(const torch::Tensor& x, const std::vector<double>& targets) override;
  torch::Tensor predict_encoded(const torch::Tensor& x) const override;

 private:
  RidgeOptions options_;
  torch::Tensor weights_;  // [width] float64
  double intercept_ = 0.0, penalty_ = 0.0, validation_score_ = 0.0;
};

}  // namespace controllers
