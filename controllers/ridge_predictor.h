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

#include "controllers/one_hot_encoding.h"
#include "controllers/performance_predictor.h"
#include "spaces/search_space.h"

namespace controllers {

class RidgePredictor : public PerformancePredictor {
 public:
  explicit RidgePredictor(spaces::SpacePtr space);

  // Fits on architectures (token rows of the space, -1 padded) and their
  // targets. Throws std::invalid_argument for fewer than 2 examples,
  // mismatched lengths or a token outside its decision's range.
  void fit(const std::vector<std::vector<std::int64_t>>& tokens, const std::vector<double>& targets,
           std::int64_t folds);
  void fit(const std::vector<std::vector<std::int64_t>>& tokens, const std::vector<double>& targets) override {
    fit(tokens, targets, 5);
  }
  std::string summary() const override;
  // Throws std::logic_error before fit().
  std::vector<double> predict(const std::vector<std::vector<std::int64_t>>& tokens) const override;

  double penalty() const { return penalty_; }                  // the chosen lambda
  double validation_rmse() const { return validation_rmse_; }  // its cross-validated error

 private:
  spaces::SpacePtr space_;
  OneHotEncoding encoding_;
  std::vector<double> weights_;
  double intercept_ = 0.0, penalty_ = 0.0, validation_rmse_ = 0.0;
  bool fitted_ = false;
};

}  // namespace controllers
