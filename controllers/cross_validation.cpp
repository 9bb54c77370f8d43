#include "controllers/cross_validation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

namespace controllers {

std::string to_string(CvScore score) { return score == CvScore::kRmse ? "RMSE" : "MAPE"; }

std::vector<std::int64_t> interleaved_folds(std::int64_t n, std::int64_t k, std::uint64_t seed) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  for (std::size_t i = order.size() - 1; i > 0 && !order.empty(); --i) {
    std::swap(order[i], order[std::uniform_int_distribution<std::size_t>(0, i)(rng)]);
  }
  const std::int64_t folds = std::max<std::int64_t>(1, std::min(k, n));
  std::vector<std::int64_t> fold(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) fold[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] = i % folds;
  return fold;
}

std::vector<std::int64_t> contiguous_folds(std::int64_t n, std::int64_t k) {
  const std::int64_t folds = std::max<std::int64_t>(1, std::min(k, n));
  std::vector<std::int64_t> fold;
  for (std::int64_t f = 0; f < folds; ++f) {
    const std::int64_t size = n / folds + (f < n % folds ? 1 : 0);
    fold.insert(fold.end(), static_cast<std::size_t>(size), f);
  }
  return fold;
}

double cross_validated_score(const torch::Tensor& x, const torch::Tensor& y, const std::vector<std::int64_t>& folds,
                             CvScore score, const FitPredict& fit_predict) {
  const std::int64_t n = y.size(0);
  if (static_cast<std::int64_t>(folds.size()) != n) {
    throw std::invalid_argument("cross-validation: a fold for each of " + std::to_string(n) + " examples, got " +
                                std::to_string(folds.size()));
  }
  const std::int64_t k = folds.empty() ? 0 : *std::max_element(folds.begin(), folds.end()) + 1;
  double total = 0.0;
  std::int64_t scored_folds = 0;
  for (std::int64_t f = 0; f < k; ++f) {
    std::vector<std::int64_t> train, held;
    for (std::int64_t i = 0; i < n; ++i) (folds[static_cast<std::size_t>(i)] == f ? held : train).push_back(i);
    if (train.size() < 2 || held.empty()) continue;
    const torch::Tensor tr = torch::tensor(train), he = torch::tensor(held);
    const torch::Tensor truth = y.index_select(0, he);
    const torch::Tensor error =
        fit_predict(x.index_select(0, tr), y.index_select(0, tr), x.index_select(0, he)) - truth;
    total += score == CvScore::kRmse
                 ? std::sqrt(error.pow(2).mean().item<double>())
                 : (error.abs() / truth.abs().clamp_min(std::numeric_limits<double>::epsilon())).mean().item<double>();
    ++scored_folds;
  }
  if (scored_folds == 0) return std::numeric_limits<double>::quiet_NaN();
  return total / double(scored_folds);
}

}  // namespace controllers
