#pragma once
// SvrPredictor: epsilon-support vector regression with an RBF kernel of one
// metric of an architecture, over its tokens one-hot encoded
// (one_hot_encoding.h), by libsvm (Debian's libsvm-dev), the library
// scikit-learn's SVR wraps. DyNAS-T's non-linear predictor
// (dynast/predictors/dynamic_predictor.py:24-95): SVR(kernel='rbf',
// gamma='auto', epsilon=0.0) with C chosen from 1, 2, .. 100 by
// GridSearchCV (5 unshuffled folds, mean absolute percentage error); gamma
// 'auto' is 1 / the number of one-hot columns. DyNAS-T's max_iter 1e6 has
// no libsvm counterpart: libsvm iterates to its tolerance.

#include <cstdint>
#include <memory>
#include <vector>

#include "controllers/cross_validation.h"
#include "controllers/performance_predictor.h"
#include "spaces/search_space.h"

namespace controllers {

struct SvrOptions {
  std::vector<double> costs = [] {
    std::vector<double> c;
    for (int i = 1; i <= 100; ++i) c.push_back(double(i));
    return c;
  }();                      // C's grid (DyNAS-T: 1 .. 100)
  double epsilon = 0.0;     // the loss's insensitive tube, in the targets' units (DyNAS-T: 0)
  double tolerance = 1e-3;  // libsvm's stopping tolerance (scikit-learn's tol)
  std::int64_t folds = 5;   // contiguous, as scikit-learn's KFold
  CvScore score = CvScore::kMape;
};

class SvrPredictor : public PerformancePredictor {
 public:
  // Throws std::invalid_argument for an empty or non-positive C grid, a
  // negative epsilon or tolerance, or fewer than 2 folds.
  explicit SvrPredictor(spaces::SpacePtr space, SvrOptions options = {});
  ~SvrPredictor() override;

  std::string summary() const override;

  double cost() const { return cost_; }                          // the chosen C
  double validation_score() const { return validation_score_; }  // its cross-validated error; NaN as RidgePredictor's

 protected:
  void fit_encoded(const torch::Tensor& x, const std::vector<double>& targets) override;
  torch::Tensor predict_encoded(const torch::Tensor& x) const override;

 private:
  struct Model;  // libsvm's model and the rows it points into
  SvrOptions options_;
  std::unique_ptr<Model> model_;
  double cost_ = 0.0, validation_score_ = 0.0;
};

}  // namespace controllers
