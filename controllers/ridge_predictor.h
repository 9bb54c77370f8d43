#pragma once
// RidgePredictor: a linear model of one metric of an architecture, over
// its tokens one-hot encoded (one_hot_encoding.h), fitted by ridge
// regression. The penalty is chosen by
// k-fold cross-validation from 1e-3 .. 1e3 (decades), as DyNAS-T chooses
// its linear predictor (dynast/predictors, Ridge); the one-hot encoding is
// the one the field's predictors use (OFA, DyNAS-T). The linear algebra is
// libtorch's (float64 solve).

#include <cstdint>
#include <vector>

#include "controllers/performance_predictor.h"
#include "spaces/search_space.h"

namespace controllers {

class RidgePredictor : public PerformancePredictor {
 public:
  explicit RidgePredictor(spaces::SpacePtr space);

  std::string summary() const override;

  double penalty() const { return penalty_; }                  // the chosen lambda
  double validation_rmse() const { return validation_rmse_; }  // its cross-validated error (5 folds)

 protected:
  void fit_encoded(const torch::Tensor& x, const std::vector<double>& targets) override;
  torch::Tensor predict_encoded(const torch::Tensor& x) const override;

 private:
  torch::Tensor weights_;  // [width] float64
  double intercept_ = 0.0, penalty_ = 0.0, validation_rmse_ = 0.0;
};

}  // namespace controllers
