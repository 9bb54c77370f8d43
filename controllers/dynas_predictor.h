#pragma once
// DynasPredictor: DyNAS-T's predictor of one objective
// (dynast/predictors/dynamic_predictor.py:24-95): a ridge regression
// (penalty 0.1 .. 10.0, dynas_ridge_options()) and an RBF SVR (C 1 .. 100,
// SvrPredictor) are both tuned by 5-fold cross-validated mean absolute
// percentage error, and the one with the lower error is kept.

#include "controllers/performance_predictor.h"
#include "controllers/ridge_predictor.h"
#include "controllers/svr_predictor.h"

namespace controllers {

class DynasPredictor : public PerformancePredictor {
 public:
  explicit DynasPredictor(spaces::SpacePtr space);

  // "SVR kept (MAPE 0.0123 against ridge's 0.0150): RBF support vector regression (C 12); ..."
  std::string summary() const override;
  // Whether the SVR was kept (false: the ridge regression).
  bool chose_svr() const { return chose_svr_; }

 protected:
  void fit_encoded(const torch::Tensor& x, const std::vector<double>& targets) override;
  torch::Tensor predict_encoded(const torch::Tensor& x) const override;

 private:
  RidgePredictor ridge_;
  SvrPredictor svr_;
  bool chose_svr_ = false;
};

}  // namespace controllers
