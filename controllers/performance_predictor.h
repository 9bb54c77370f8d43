#pragma once
// PerformancePredictor: a model of one metric of an architecture (its
// accuracy, a fraction in [0, 1], or any other), learned from measured
// architectures of one space, that scores candidates in microseconds
// instead of an evaluation (OFA's accuracy predictor, DyNAS-T's
// predictors). Inputs are token rows of the space, -1 padded; every
// implementation reads them one-hot (one_hot_encoding.h):
//   ridge  RidgePredictor: linear, penalty by cross-validation
//   svr    SvrPredictor: RBF support vector regression, C by cross-validation (DyNAS-T's)
//   dynas  DynasPredictor: DyNAS-T's choice, ridge or SVR by cross-validated MAPE
//   mlp    MlpPredictor: 3 x 400 ReLU layers (OFA's AccuracyPredictor)

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "controllers/one_hot_encoding.h"
#include "spaces/search_space.h"

namespace controllers {

class PerformancePredictor {
 public:
  virtual ~PerformancePredictor() = default;
  // Fits on architectures and their targets. Throws std::invalid_argument,
  // naming the predictor, for fewer than 2 examples, mismatched lengths or
  // a token outside its decision's range.
  void fit(const std::vector<std::vector<std::int64_t>>& tokens, const std::vector<double>& targets);
  // One prediction per row, in the targets' units. Throws std::logic_error
  // before fit(), and std::invalid_argument as fit() does for a bad row.
  std::vector<double> predict(const std::vector<std::vector<std::int64_t>>& tokens) const;
  // What was fitted and how well it predicts held-out architectures
  // ("ridge regression (lambda 0.1); cross-validated RMSE 0.0123").
  virtual std::string summary() const = 0;

 protected:
  // `name` ("ridge predictor") opens its errors.
  PerformancePredictor(std::string name, const spaces::SearchSpace& space) : name_(std::move(name)), encoding_(space) {}
  std::int64_t width() const { return encoding_.width(); }  // one-hot columns
  // The model's own work, on encoded rows x [n, width()] float64: fit with
  // n >= 2 and targets.size() == n; predict returns [n] float64.
  virtual void fit_encoded(const torch::Tensor& x, const std::vector<double>& targets) = 0;
  virtual torch::Tensor predict_encoded(const torch::Tensor& x) const = 0;
  // For a predictor made of others (DyNAS-T's choice of model): `other`'s
  // own fit and predict on rows already encoded (the same space's).
  static void fit_encoded_of(PerformancePredictor& other, const torch::Tensor& x, const std::vector<double>& targets);
  static torch::Tensor predict_encoded_of(const PerformancePredictor& other, const torch::Tensor& x) {
    return other.predict_encoded(x);
  }

 private:
  std::string name_;
  OneHotEncoding encoding_;
  bool fitted_ = false;
};

// The predictor `model` (one of predictor_models()) of `space`; `seed` fixes an
// MLP's initial weights and batches. Throws std::invalid_argument naming
// the known models for another name.
std::unique_ptr<PerformancePredictor> make_predictor(const std::string& model, spaces::SpacePtr space,
                                                     std::uint64_t seed);
// The names make_predictor knows.
std::vector<std::string> predictor_models();

}  // namespace controllers
