#include "controllers/ridge_predictor.h"

#include <gtest/gtest.h>

#include <cmath>

#include "spaces/registry.h"

namespace controllers {
namespace {

TEST(RidgePredictor, LearnsAnAdditiveMetricOfTheTokensAndPredictsHeldOutArchitectures) {
  const auto space = spaces::make_space("enas_micro(nodes=2)");
  spaces::Rng rng(4);
  std::normal_distribution<double> noise(0.0, 0.01);
  // metric = sum over positions of a per-(position, value) effect, plus noise
  const auto metric = [](const std::vector<std::int64_t>& tokens) {
    double sum = 0.5;
    for (std::size_t i = 0; i < tokens.size(); ++i) sum += 0.02 * std::sin(double(i * 7 + tokens[i] * 3));
    return sum;
  };
  std::vector<std::vector<std::int64_t>> train, test;
  std::vector<double> targets;
  for (int i = 0; i < 200; ++i) {
    train.push_back(space->random(rng).tokens);
    targets.push_back(metric(train.back()) + noise(rng));
  }
  for (int i = 0; i < 50; ++i) test.push_back(space->random(rng).tokens);
  RidgePredictor predictor(space);
  EXPECT_THROW(predictor.predict(test), std::logic_error);
  predictor.fit(train, targets);
  const std::vector<double> predicted = predictor.predict(test);
  double squared = 0, spread = 0, mean = 0;
  for (const auto& t : test) mean += metric(t) / 50.0;
  for (std::size_t i = 0; i < test.size(); ++i) {
    squared += std::pow(predicted[i] - metric(test[i]), 2) / 50.0;
    spread += std::pow(metric(test[i]) - mean, 2) / 50.0;
  }
  EXPECT_LT(squared, 0.2 * spread);  // explains most of the variance of architectures it never saw
  EXPECT_GT(predictor.penalty(), 0.0);
  EXPECT_LT(predictor.validation_score(), 0.05);
}

}  // namespace
}  // namespace controllers
