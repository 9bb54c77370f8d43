#include "controllers/ridge_predictor.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

namespace controllers {
namespace {

// The ridge solution on (x, y): weights and intercept (x and y centred, the intercept unpenalised).
std::pair<torch::Tensor, double> solve_ridge(const torch::Tensor& x, const torch::Tensor& y, double penalty) {
  const torch::Tensor x_mean = x.mean(0), y_mean = y.mean();
  const torch::Tensor xc = x - x_mean, yc = y - y_mean;
  const torch::Tensor gram = xc.t().mm(xc) + penalty * torch::eye(x.size(1), torch::kDouble);
  const torch::Tensor w = torch::linalg_solve(gram, xc.t().mv(yc));
  return {w, (y_mean - x_mean.dot(w)).item<double>()};
}

}  // namespace

RidgePredictor::RidgePredictor(spaces::SpacePtr space) : space_(std::move(space)) {
  for (const spaces::Decision& d : space_->decisions()) {
    offsets_.push_back(width_);
    width_ += d.num_choices;
  }
}

namespace {

torch::Tensor encode(const std::vector<std::vector<std::int64_t>>& tokens, const spaces::SearchSpace& space,
                     const std::vector<std::int64_t>& offsets, std::int64_t width) {
  torch::Tensor x = torch::zeros({static_cast<std::int64_t>(tokens.size()), width}, torch::kDouble);
  auto rows = x.accessor<double, 2>();
  const auto& decisions = space.decisions();
  for (std::size_t r = 0; r < tokens.size(); ++r) {
    if (tokens[r].size() > decisions.size()) {
      throw std::invalid_argument("ridge predictor: a row of " + std::to_string(tokens[r].size()) +
                                  " tokens for a space of " + std::to_string(decisions.size()));
    }
    for (std::size_t i = 0; i < tokens[r].size(); ++i) {
      const std::int64_t value = tokens[r][i];
      if (value < 0) continue;  // padding
      if (value >= decisions[i].num_choices) {
        throw std::invalid_argument("ridge predictor: token " + std::to_string(i) + " is " + std::to_string(value) +
                                    ", outside its decision's " + std::to_string(decisions[i].num_choices) +
                                    " choices");
      }
      rows[static_cast<std::int64_t>(r)][offsets[i] + value] = 1.0;
    }
  }
  return x;
}

}  // namespace

void RidgePredictor::fit(const std::vector<std::vector<std::int64_t>>& tokens, const std::vector<double>& targets,
                         std::int64_t folds) {
  if (tokens.size() != targets.size()) throw std::invalid_argument("ridge predictor: tokens and targets differ");
  const auto n = static_cast<std::int64_t>(tokens.size());
  if (n < 2) throw std::invalid_argument("ridge predictor: needs at least 2 examples, got " + std::to_string(n));
  const torch::Tensor x = encode(tokens, *space_, offsets_, width_);
  const torch::Tensor y = torch::tensor(targets, torch::kDouble);
  // Folds of a fixed permutation, so a fit is reproducible.
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(0);
  for (std::size_t i = order.size() - 1; i > 0; --i) {
    std::swap(order[i], order[std::uniform_int_distribution<std::size_t>(0, i)(rng)]);
  }
  const std::int64_t k = std::min(folds, n);
  double best = std::numeric_limits<double>::infinity();
  for (double penalty = 1e-3; penalty <= 1e3 * 1.0001; penalty *= 10.0) {
    double squared = 0.0;
    for (std::int64_t fold = 0; fold < k; ++fold) {
      std::vector<std::int64_t> train, held;
      for (std::int64_t i = 0; i < n; ++i) (i % k == fold ? held : train).push_back(order[static_cast<std::size_t>(i)]);
      if (train.size() < 2) continue;
      const torch::Tensor tr = torch::tensor(train), he = torch::tensor(held);
      const auto [w, b] = solve_ridge(x.index_select(0, tr), y.index_select(0, tr), penalty);
      squared += (x.index_select(0, he).mv(w) + b - y.index_select(0, he)).pow(2).sum().item<double>();
    }
    const double rmse = std::sqrt(squared / double(n));
    if (rmse < best) {
      best = rmse;
      penalty_ = penalty;
    }
  }
  validation_rmse_ = best;
  const auto [w, b] = solve_ridge(x, y, penalty_);
  weights_.assign(w.data_ptr<double>(), w.data_ptr<double>() + w.numel());
  intercept_ = b;
  fitted_ = true;
}

std::vector<double> RidgePredictor::predict(const std::vector<std::vector<std::int64_t>>& tokens) const {
  if (!fitted_) throw std::logic_error("ridge predictor: predict before fit");
  const torch::Tensor x = encode(tokens, *space_, offsets_, width_);
  const torch::Tensor p = x.mv(torch::tensor(weights_, torch::kDouble)) + intercept_;
  return {p.data_ptr<double>(), p.data_ptr<double>() + p.numel()};
}

}  // namespace controllers
