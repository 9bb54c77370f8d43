#include "controllers/svr_predictor.h"

#include <gtest/gtest.h>

#include <cmath>

#include "controllers/cross_validation.h"
#include "controllers/dynas_predictor.h"
#include "controllers/ridge_predictor.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

// A metric with an interaction no linear model of one-hot tokens can hold:
// a bonus when decisions 0 and 1 agree.
double interacting_metric(const std::vector<std::int64_t>& tokens) {
  return 0.6 + 0.01 * double(tokens[2]) + (tokens[0] == tokens[1] ? 0.1 : 0.0);
}

struct Data {
  std::vector<std::vector<std::int64_t>> train, test;
  std::vector<double> targets;
};

Data interacting_data(const spaces::SearchSpace& space) {
  spaces::Rng rng(5);
  Data d;
  for (int i = 0; i < 150; ++i) {
    d.train.push_back(space.random(rng).tokens);
    d.targets.push_back(interacting_metric(d.train.back()));
  }
  for (int i = 0; i < 60; ++i) d.test.push_back(space.random(rng).tokens);
  return d;
}

double test_mape(const PerformancePredictor& p, const Data& d) {
  const std::vector<double> predicted = p.predict(d.test);
  double sum = 0;
  for (std::size_t i = 0; i < d.test.size(); ++i) {
    sum += std::abs(predicted[i] - interacting_metric(d.test[i])) / interacting_metric(d.test[i]);
  }
  return sum / double(d.test.size());
}

TEST(SvrPredictor, LearnsAnInteractionRidgeCannotAndDynasKeepsIt) {
  const auto space = spaces::make_space("spos(stage_repeats=[2,2],stage_channels=[32,64])");
  const Data d = interacting_data(*space);
  SvrPredictor svr(space);
  svr.fit(d.train, d.targets);
  RidgePredictor ridge(space, dynas_ridge_options());
  ridge.fit(d.train, d.targets);
  EXPECT_LT(test_mape(svr, d), 0.5 * test_mape(ridge, d)) << svr.summary() << " / " << ridge.summary();
  EXPECT_LT(svr.validation_score(), ridge.validation_score());
  EXPECT_GE(svr.cost(), 1.0);
  EXPECT_LE(svr.cost(), 100.0);
  DynasPredictor dynas(space);
  dynas.fit(d.train, d.targets);
  EXPECT_TRUE(dynas.chose_svr()) << dynas.summary();
  EXPECT_EQ(dynas.predict(d.test), svr.predict(d.test));  // the kept model, fitted alike
  EXPECT_NE(dynas.summary().find("SVR kept (MAPE "), std::string::npos) << dynas.summary();
}

TEST(SvrPredictor, RefusesGridsItCannotSearch) {
  const auto space = spaces::make_space("enas_micro(nodes=2)");
  EXPECT_THROW(SvrPredictor(space, SvrOptions{.costs = {}}), std::invalid_argument);
  EXPECT_THROW(SvrPredictor(space, SvrOptions{.costs = {0.0}}), std::invalid_argument);
  EXPECT_THROW(SvrPredictor(space, SvrOptions{.epsilon = -1.0}), std::invalid_argument);
  EXPECT_THROW(SvrPredictor(space, SvrOptions{.folds = 1}), std::invalid_argument);
  EXPECT_THROW(RidgePredictor(space, RidgeOptions{.penalties = {-1.0}}), std::invalid_argument);
}

TEST(CrossValidation, FoldsAreScikitLearnsBlocksOrADealtPermutation) {
  EXPECT_EQ(contiguous_folds(7, 5), (std::vector<std::int64_t>{0, 0, 1, 1, 2, 3, 4}));
  EXPECT_EQ(contiguous_folds(3, 5), (std::vector<std::int64_t>{0, 1, 2}));
  const std::vector<std::int64_t> dealt = interleaved_folds(10, 5, 0);
  for (std::int64_t f = 0; f < 5; ++f) EXPECT_EQ(std::count(dealt.begin(), dealt.end(), f), 2);
  EXPECT_EQ(dealt, interleaved_folds(10, 5, 0));
  EXPECT_NE(dealt, interleaved_folds(10, 5, 1));
}

TEST(CrossValidation, ScoresHeldOutPredictionsAsRmseOrMape) {
  const torch::Tensor x = torch::zeros({4, 1}, torch::kDouble);
  const torch::Tensor y = torch::tensor(std::vector<double>{1.0, 2.0, 4.0, 8.0}, torch::kDouble);
  // A model that predicts the training mean.
  const FitPredict mean = [](const torch::Tensor&, const torch::Tensor& yt, const torch::Tensor& xh) {
    return torch::full({xh.size(0)}, yt.mean().item<double>(), torch::kDouble);
  };
  const std::vector<std::int64_t> folds = {0, 0, 1, 1};
  // Fold 0 predicts 6 for 1 and 2; fold 1 predicts 1.5 for 4 and 8; the folds' scores are averaged.
  EXPECT_DOUBLE_EQ(cross_validated_score(x, y, folds, CvScore::kRmse, mean),
                   (std::sqrt((25.0 + 16.0) / 2.0) + std::sqrt((6.25 + 42.25) / 2.0)) / 2.0);
  EXPECT_DOUBLE_EQ(cross_validated_score(x, y, folds, CvScore::kMape, mean),
                   ((5.0 / 1.0 + 4.0 / 2.0) / 2.0 + (2.5 / 4.0 + 6.5 / 8.0) / 2.0) / 2.0);
  EXPECT_TRUE(std::isnan(cross_validated_score(x.slice(0, 0, 2), y.slice(0, 0, 2), {0, 1}, CvScore::kRmse, mean)));
  EXPECT_THROW(cross_validated_score(x, y, {0, 1}, CvScore::kRmse, mean), std::invalid_argument);
}

}  // namespace
}  // namespace controllers
