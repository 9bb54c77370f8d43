#pragma once
// GaussianProcess: Gaussian-process regression with a Matérn-5/2 kernel,
// one length-scale per group of input columns (ARD), a signal variance and
// a noise variance, the surrogate of Bayesian optimisation (bayes_opt).
// It is the model Intel Neural Compressor's and NNI's searchers use
// through scikit-learn (GaussianProcessRegressor(kernel=Matern(nu=2.5),
// alpha=1e-6, normalize_y=True); INC neural_compressor/strategy/
// bayesian.py:405-409, NNI gp_tuner.py), with the signal and noise
// variances fitted as well (sklearn holds them at 1 and alpha there).
//
//   k(a, b) = s2 (1 + sqrt(5) r + 5 r^2 / 3) exp(-sqrt(5) r),
//   r^2 = sum_j ((a_j - b_j) / l_g(j))^2
//
// where g(j) is column j's group (one decision's one-hot columns share a
// length-scale). Targets are standardised to mean 0 and standard deviation
// 1 before fitting (sklearn's normalize_y; a constant target keeps scale
// 1), and predictions are given back in the targets' units.
//
// fit() chooses the hyper-parameters by maximising the log marginal
// likelihood with L-BFGS (libtorch autograd, strong-Wolfe line search) from
// 1 + `restarts` starts: the first at length-scales 1, signal variance 1
// and noise variance 1e-3 (sklearn's initial length-scale is 1), the others
// log-uniform within the bounds, drawn from the caller's generator (as
// sklearn's n_restarts_optimizer draws them). Each hyper-parameter is
// optimised as the logit of its position in its log-bounds, so every
// iterate is inside the bounds. The linear algebra is float64: Cholesky
// by torch::linalg_cholesky_ex, retried with a growing jitter on the
// diagonal (1e-10 .. 1e-4 of its mean) when the matrix is not positive
// definite numerically, and solves by cholesky_solve and triangular
// solves.
//
// Options (GaussianProcessOptions) with defaults:
//   restarts 2           starts beyond the first (sklearn's n_restarts_optimizer;
//                        INC uses 5, NNI 25; with 2 a refit at 100 observations
//                        takes 0.13-0.19 s on one core of this machine)
//   iterations 50        L-BFGS iterations per start
//   length-scales [1e-2, 1e2]   inputs are scaled to [0, 1] by their encodings
//   signal variance [1e-2, 1e2] of the standardised targets (1 a priori)
//   noise variance [1e-6, 1]    1e-6 is INC's and NNI's alpha (a fixed jitter there)

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "spaces/search_space.h"

namespace controllers {

struct GaussianProcessOptions {
  std::int64_t restarts = 2;     // hyper-parameter fit: random starts beyond the first
  std::int64_t iterations = 50;  // hyper-parameter fit: L-BFGS iterations per start
  double min_length_scale = 1e-2, max_length_scale = 1e2;
  double min_signal_variance = 1e-2, max_signal_variance = 1e2;
  double min_noise_variance = 1e-6, max_noise_variance = 1.0;
};

// A prediction of the latent function (noise excluded) at m points, in the
// targets' units: [m] float64 each.
struct GpPrediction {
  torch::Tensor mean, variance;
};

class GaussianProcess {
 public:
  // `groups[j]`: the length-scale of input column j (0 .. max); empty: one
  // length-scale per column (fixed by the first data conditioned on).
  // Throws std::invalid_argument for a negative group or bounds that are
  // not 0 < min <= max.
  explicit GaussianProcess(std::vector<std::int64_t> groups = {}, GaussianProcessOptions options = {});

  // The Matérn-5/2 kernel matrix [n, m] of rows a [n, d] and b [m, d]
  // float64, with per-column length-scales [d] and signal variance (0-d);
  // differentiable in both.
  static torch::Tensor matern52(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& length_scales,
                                const torch::Tensor& signal_variance);

  // Chooses the hyper-parameters (see above), then conditions on (x, y).
  // x [n, d] float64, y [n] float64, n >= 1. Throws std::invalid_argument
  // for mismatched shapes or a width other than the groups'.
  void fit(const torch::Tensor& x, const torch::Tensor& y, spaces::Rng& rng);
  // Conditions on (x, y) with the current hyper-parameters, standardising y
  // by its own mean and deviation.
  void condition(const torch::Tensor& x, const torch::Tensor& y);
  // Adds points (x [k, d], y [k]) to the data, keeping the hyper-parameters
  // and the standardisation: Bayesian optimisation's kriging believer (a
  // proposal not yet measured, believed at its predicted mean). Throws
  // std::logic_error before any data.
  void believe(const torch::Tensor& x, const torch::Tensor& y);

  // Throws std::logic_error before any data.
  GpPrediction predict(const torch::Tensor& x) const;
  // log p(y | x, hyper-parameters) of the standardised targets.
  double log_marginal_likelihood() const;

  // Per group, [groups] float64.
  const torch::Tensor& length_scales() const { return length_scales_; }
  double signal_variance() const { return signal_variance_; }
  double noise_variance() const { return noise_variance_; }
  // Throws std::invalid_argument for a value outside the options' bounds
  // or length-scales of another count than the groups.
  void set_hyperparameters(const torch::Tensor& length_scales, double signal_variance, double noise_variance);

  std::int64_t size() const { return x_.defined() ? x_.size(0) : 0; }

 private:
  std::int64_t num_groups() const;
  void check_data(const torch::Tensor& x, const torch::Tensor& y, const char* who);
  // length_scales_ expanded to the columns.
  torch::Tensor column_scales(const torch::Tensor& per_group) const;
  // Refactors the kernel of the stored data.
  void refactor();
  // One start of the likelihood maximisation from log-hyper-parameters
  // `start`; returns the best log-likelihood reached and sets `best`.
  double maximise_from(const torch::Tensor& start, const torch::Tensor& y, torch::Tensor& best) const;

  std::vector<std::int64_t> groups_;
  torch::Tensor group_index_;  // [d] int64
  GaussianProcessOptions options_;
  torch::Tensor length_scales_;  // [groups] float64
  double signal_variance_ = 1.0, noise_variance_ = 1e-3;
  // The data: inputs, standardised targets and their standardisation.
  torch::Tensor x_, y_;
  double y_mean_ = 0.0, y_scale_ = 1.0;
  torch::Tensor chol_, alpha_;  // lower Cholesky factor of K + noise I, and (K + noise I)^-1 y
};

}  // namespace controllers
