#pragma once
// MlpPredictor: OFA's accuracy predictor (once-for-all
// ofa/nas/accuracy_predictor/acc_predictor.py:14-57): the one-hot encoding
// (one_hot_encoding.h), `layers` x [Linear(hidden), ReLU], then
// Linear(hidden -> 1) without bias, plus a frozen base: the mean target of
// the training set. Trained as its author advises (once-for-all issue #30):
// Adam, learning rate 1e-3, weight decay 1e-4, mean squared error; on a
// random 80 % of the examples (acc_dataset.py's 80/20 split), the other
// 20 % held out for the RMSE and Kendall's tau that summary() reports
// (with fewer than 10 examples, all train and nothing is held out).
// Defaults: layers 3, hidden 400 (acc_predictor.py), epochs 200, batch
// 256. Float32, on the CPU (this build has no other device); fit() and
// predict() leave libtorch's global CPU random state as they found it.
// Predictions are in the targets' units and not clipped; predict() is not
// safe to call from two threads at once.

#include <torch/torch.h>

#include <limits>

#include "controllers/performance_predictor.h"

namespace controllers {

struct MlpPredictorOptions {
  std::int64_t layers = 3, hidden = 400, epochs = 200, batch_size = 256;
  double learning_rate = 1e-3, weight_decay = 1e-4;
  std::uint64_t seed = 0;
};

class MlpPredictor : public PerformancePredictor {
 public:
  MlpPredictor(spaces::SpacePtr space, MlpPredictorOptions options);

  std::string summary() const override;

  double validation_rmse() const { return validation_rmse_; }  // NaN when nothing was held out
  double validation_tau() const { return validation_tau_; }    // Kendall's tau on the held-out examples

 protected:
  void fit_encoded(const torch::Tensor& x, const std::vector<double>& targets) override;
  torch::Tensor predict_encoded(const torch::Tensor& x) const override;

 private:
  torch::Tensor forward(const torch::Tensor& x) const;  // [rows, width] float32 -> [rows]

  MlpPredictorOptions options_;
  mutable torch::nn::Sequential layers_{nullptr};  // forward() is not const in libtorch
  double base_ = 0.0;
  double validation_rmse_ = std::numeric_limits<double>::quiet_NaN();
  double validation_tau_ = std::numeric_limits<double>::quiet_NaN();
  std::int64_t trained_on_ = 0;
};

}  // namespace controllers
