#include "controllers/gaussian_process.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>

namespace controllers {
namespace {

constexpr auto kDouble = torch::kDouble;

// The lower Cholesky factor of `k`, with jitter on the diagonal when it is
// not numerically positive definite (1e-10 .. 1e-4 of the mean diagonal).
torch::Tensor jittered_cholesky(const torch::Tensor& k) {
  auto [factor, info] = torch::linalg_cholesky_ex(k);
  if (info.item<int>() == 0) return factor;
  const double scale = std::max(k.diagonal().mean().item<double>(), 1e-12);
  const torch::Tensor eye = torch::eye(k.size(0), k.options());
  for (double jitter = 1e-10; jitter <= 1e-4 * 1.0001; jitter *= 10.0) {
    std::tie(factor, info) = torch::linalg_cholesky_ex(k + eye * (jitter * scale));
    if (info.item<int>() == 0) return factor;
  }
  throw std::runtime_error("gaussian process: the kernel matrix is not positive definite even with jitter 1e-4");
}

// log p(y | K) for K's Cholesky factor; differentiable.
torch::Tensor log_likelihood(const torch::Tensor& factor, const torch::Tensor& y) {
  const torch::Tensor alpha = torch::cholesky_solve(y.unsqueeze(1), factor).squeeze(1);
  const double n = static_cast<double>(y.size(0));
  return -0.5 * (y * alpha).sum() - factor.diagonal().log().sum() - 0.5 * n * std::log(2.0 * std::numbers::pi);
}

void check_bounds(double min, double max, const char* what) {
  if (!(min > 0.0 && min <= max && std::isfinite(max))) {
    throw std::invalid_argument(std::string("gaussian process: bounds of the ") + what +
                                " must be 0 < min <= max, got [" + std::to_string(min) + ", " + std::to_string(max) +
                                "]");
  }
}

}  // namespace

GaussianProcess::GaussianProcess(std::vector<std::int64_t> groups, GaussianProcessOptions options)
    : groups_(std::move(groups)), options_(options) {
  check_bounds(options_.min_length_scale, options_.max_length_scale, "length-scales");
  check_bounds(options_.min_signal_variance, options_.max_signal_variance, "signal variance");
  check_bounds(options_.min_noise_variance, options_.max_noise_variance, "noise variance");
  for (const std::int64_t g : groups_) {
    if (g < 0) throw std::invalid_argument("gaussian process: negative length-scale group " + std::to_string(g));
  }
  if (!groups_.empty()) {
    group_index_ = torch::tensor(groups_, torch::kLong);
    length_scales_ = torch::ones({num_groups()}, kDouble);
  }
  signal_variance_ = std::clamp(1.0, options_.min_signal_variance, options_.max_signal_variance);
  noise_variance_ = std::clamp(1e-3, options_.min_noise_variance, options_.max_noise_variance);
}

std::int64_t GaussianProcess::num_groups() const {
  return groups_.empty() ? 0 : *std::max_element(groups_.begin(), groups_.end()) + 1;
}

torch::Tensor GaussianProcess::matern52(const torch::Tensor& a, const torch::Tensor& b,
                                        const torch::Tensor& length_scales, const torch::Tensor& signal_variance) {
  const torch::Tensor sa = a / length_scales, sb = b / length_scales;
  torch::Tensor squared =
      sa.pow(2).sum(1).unsqueeze(1) + sb.pow(2).sum(1).unsqueeze(0) - 2.0 * torch::matmul(sa, sb.t());
  // Clamped away from 0 so the square root's derivative stays finite; the
  // kernel's own derivative in r^2 is finite there, and an exact 0 (a point
  // with itself) does not depend on the length-scales anyway.
  const torch::Tensor r5 = std::sqrt(5.0) * squared.clamp_min(1e-30).sqrt();
  return signal_variance * (1.0 + r5 + r5.pow(2) / 3.0) * torch::exp(-r5);
}

void GaussianProcess::check_data(const torch::Tensor& x, const torch::Tensor& y, const char* who) {
  if (x.dim() != 2 || y.dim() != 1 || x.size(0) != y.size(0) || x.size(0) < 1) {
    throw std::invalid_argument(std::string("gaussian process ") + who + ": need x [n, d] and y [n] with n >= 1, got " +
                                std::to_string(x.dim()) + "-d x and " + std::to_string(y.dim()) + "-d y");
  }
  if (groups_.empty()) {  // one length-scale per column, fixed by the first data
    for (std::int64_t j = 0; j < x.size(1); ++j) groups_.push_back(j);
    group_index_ = torch::tensor(groups_, torch::kLong);
    length_scales_ = torch::ones({num_groups()}, kDouble);
  }
  if (x.size(1) != static_cast<std::int64_t>(groups_.size())) {
    throw std::invalid_argument(std::string("gaussian process ") + who + ": inputs of " + std::to_string(x.size(1)) +
                                " columns for " + std::to_string(groups_.size()) + " grouped columns");
  }
}

torch::Tensor GaussianProcess::column_scales(const torch::Tensor& per_group) const {
  return per_group.index_select(0, group_index_);
}

void GaussianProcess::condition(const torch::Tensor& x, const torch::Tensor& y) {
  check_data(x, y, "condition");
  const torch::Tensor y64 = y.to(kDouble);
  y_mean_ = y64.mean().item<double>();
  const double scale = y64.std(/*unbiased=*/false).item<double>();
  y_scale_ = scale > 0.0 && std::isfinite(scale) ? scale : 1.0;  // sklearn's _handle_zeros_in_scale
  x_ = x.to(kDouble).contiguous();
  y_ = (y64 - y_mean_) / y_scale_;
  refactor();
}

void GaussianProcess::believe(const torch::Tensor& x, const torch::Tensor& y) {
  if (!x_.defined()) throw std::logic_error("gaussian process: believe() before any data");
  check_data(x, y, "believe");
  x_ = torch::cat({x_, x.to(kDouble)}, 0).contiguous();
  y_ = torch::cat({y_, (y.to(kDouble) - y_mean_) / y_scale_}, 0);
  refactor();
}

void GaussianProcess::refactor() {
  torch::NoGradGuard no_grad;
  const torch::Tensor s2 = torch::tensor(signal_variance_, kDouble);
  const torch::Tensor k = matern52(x_, x_, column_scales(length_scales_), s2) +
                          noise_variance_ * torch::eye(x_.size(0), torch::TensorOptions(kDouble));
  chol_ = jittered_cholesky(k);
  alpha_ = torch::cholesky_solve(y_.unsqueeze(1), chol_).squeeze(1);
}

GpPrediction GaussianProcess::predict(const torch::Tensor& x) const {
  if (!x_.defined()) throw std::logic_error("gaussian process: predict() before any data");
  if (x.dim() != 2 || x.size(1) != x_.size(1)) {
    throw std::invalid_argument("gaussian process predict: inputs of " + std::to_string(x.size(-1)) +
                                " columns for a model of " + std::to_string(x_.size(1)));
  }
  torch::NoGradGuard no_grad;
  const torch::Tensor ks =
      matern52(x.to(kDouble), x_, column_scales(length_scales_), torch::tensor(signal_variance_, kDouble));  // [m, n]
  const torch::Tensor mean = torch::matmul(ks, alpha_);
  const torch::Tensor v = torch::linalg_solve_triangular(chol_, ks.t(), /*upper=*/false);  // [n, m]
  const torch::Tensor variance = (signal_variance_ - v.pow(2).sum(0)).clamp_min(0.0);
  return {mean * y_scale_ + y_mean_, variance * (y_scale_ * y_scale_)};
}

double GaussianProcess::log_marginal_likelihood() const {
  if (!x_.defined()) throw std::logic_error("gaussian process: log_marginal_likelihood() before any data");
  torch::NoGradGuard no_grad;
  return log_likelihood(chol_, y_).item<double>();
}

void GaussianProcess::set_hyperparameters(const torch::Tensor& length_scales, double signal_variance,
                                          double noise_variance) {
  const auto outside = [](double v, double lo, double hi) { return !(v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12)); };
  if (!groups_.empty() && length_scales.numel() != num_groups()) {
    throw std::invalid_argument("gaussian process: " + std::to_string(length_scales.numel()) + " length-scales for " +
                                std::to_string(num_groups()) + " groups");
  }
  const torch::Tensor ls = length_scales.to(kDouble).flatten().clone();
  for (std::int64_t g = 0; g < ls.numel(); ++g) {
    if (outside(ls[g].item<double>(), options_.min_length_scale, options_.max_length_scale)) {
      throw std::invalid_argument("gaussian process: length-scale " + std::to_string(ls[g].item<double>()) +
                                  " outside its bounds");
    }
  }
  if (outside(signal_variance, options_.min_signal_variance, options_.max_signal_variance) ||
      outside(noise_variance, options_.min_noise_variance, options_.max_noise_variance)) {
    throw std::invalid_argument("gaussian process: signal variance " + std::to_string(signal_variance) +
                                " or noise variance " + std::to_string(noise_variance) + " outside its bounds");
  }
  if (groups_.empty()) {
    for (std::int64_t j = 0; j < ls.numel(); ++j) groups_.push_back(j);
    group_index_ = torch::tensor(groups_, torch::kLong);
  }
  length_scales_ = ls;
  signal_variance_ = signal_variance;
  noise_variance_ = noise_variance;
  if (x_.defined()) refactor();
}

double GaussianProcess::maximise_from(const torch::Tensor& start, const torch::Tensor& y, torch::Tensor& best) const {
  const std::int64_t groups = num_groups();
  // Log-bounds per hyper-parameter: the length-scales, the signal variance, the noise variance.
  const torch::Tensor lo = torch::cat(
      {torch::full({groups}, std::log(options_.min_length_scale), kDouble),
       torch::tensor({std::log(options_.min_signal_variance), std::log(options_.min_noise_variance)}, kDouble)});
  const torch::Tensor hi = torch::cat(
      {torch::full({groups}, std::log(options_.max_length_scale), kDouble),
       torch::tensor({std::log(options_.max_signal_variance), std::log(options_.max_noise_variance)}, kDouble)});
  const torch::Tensor span = (hi - lo).clamp_min(1e-12);
  const torch::Tensor fraction = ((start - lo) / span).clamp(1e-6, 1.0 - 1e-6);
  torch::Tensor theta = torch::log(fraction / (1.0 - fraction)).detach().requires_grad_(true);
  const torch::Tensor eye = torch::eye(x_.size(0), torch::TensorOptions(kDouble));

  const auto log_hyper = [&](const torch::Tensor& t) { return lo + span * torch::sigmoid(t); };
  const auto negative_likelihood = [&](const torch::Tensor& t) {
    const torch::Tensor p = log_hyper(t).exp();
    const torch::Tensor scales = column_scales(p.slice(0, 0, groups));
    const torch::Tensor k = matern52(x_, x_, scales, p[groups]) + p[groups + 1] * eye;
    return -log_likelihood(jittered_cholesky(k), y);
  };

  torch::optim::LBFGS optimizer({theta}, torch::optim::LBFGSOptions(1.0)
                                             .max_iter(options_.iterations)
                                             .tolerance_grad(1e-6)
                                             .tolerance_change(1e-10)
                                             .line_search_fn("strong_wolfe"));
  try {
    optimizer.step([&]() -> torch::Tensor {
      optimizer.zero_grad();
      torch::Tensor loss = negative_likelihood(theta);
      loss.backward();
      return loss;
    });
  } catch (const std::runtime_error&) {
    // A step into a region the factorisation refuses: keep what was reached.
  }
  torch::NoGradGuard no_grad;
  double value = -std::numeric_limits<double>::infinity();
  try {
    value = -negative_likelihood(theta).item<double>();
  } catch (const std::runtime_error&) {
  }
  if (!std::isfinite(value)) return -std::numeric_limits<double>::infinity();
  best = log_hyper(theta).detach().clone();
  return value;
}

void GaussianProcess::fit(const torch::Tensor& x, const torch::Tensor& y, spaces::Rng& rng) {
  condition(x, y);  // the data and the standardisation
  const std::int64_t groups = num_groups();
  const auto log_bounds = [&](std::int64_t i) -> std::pair<double, double> {
    if (i < groups) return {std::log(options_.min_length_scale), std::log(options_.max_length_scale)};
    if (i == groups) return {std::log(options_.min_signal_variance), std::log(options_.max_signal_variance)};
    return {std::log(options_.min_noise_variance), std::log(options_.max_noise_variance)};
  };
  double best_value = -std::numeric_limits<double>::infinity();
  torch::Tensor best;
  for (std::int64_t s = 0; s <= options_.restarts; ++s) {
    std::vector<double> start(static_cast<std::size_t>(groups + 2));
    for (std::int64_t i = 0; i < groups + 2; ++i) {
      const auto [lo, hi] = log_bounds(i);
      if (s == 0) {  // length-scales 1, signal variance 1, noise variance 1e-3, within the bounds
        start[static_cast<std::size_t>(i)] = std::clamp(i == groups + 1 ? std::log(1e-3) : 0.0, lo, hi);
      } else {
        start[static_cast<std::size_t>(i)] = std::uniform_real_distribution<double>(lo, hi)(rng);
      }
    }
    torch::Tensor reached;
    const double value = maximise_from(torch::tensor(start, kDouble), y_, reached);
    if (value > best_value) {
      best_value = value;
      best = reached;
    }
  }
  if (!best.defined()) return;  // no start gave a finite likelihood: the hyper-parameters stay
  const torch::Tensor p = best.exp();
  length_scales_ = p.slice(0, 0, groups).clone();
  signal_variance_ = p[groups].item<double>();
  noise_variance_ = p[groups + 1].item<double>();
  refactor();
}

}  // namespace controllers
