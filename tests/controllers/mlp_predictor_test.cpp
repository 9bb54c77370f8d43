#include "controllers/mlp_predictor.h"

#include <gtest/gtest.h>

#include <cmath>

#include "controllers/rank_correlation.h"
#include "controllers/ridge_predictor.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

// A metric with an interaction a linear model cannot express: the effect of
// each token depends on whether the first token is even.
double interacting_metric(const std::vector<std::int64_t>& tokens) {
  const double sign = tokens[0] % 2 == 0 ? 1.0 : -1.0;
  double sum = 0.5;
  for (std::size_t i = 1; i < tokens.size(); ++i) sum += 0.03 * sign * std::sin(double(i * 5 + tokens[i] * 3));
  return sum;
}

struct Data {
  std::vector<std::vector<std::int64_t>> train, test;
  std::vector<double> train_targets, test_targets;
};

Data make_data(const spaces::SearchSpace& space, int train, int test) {
  spaces::Rng rng(11);
  Data d;
  for (int i = 0; i < train + test; ++i) {
    auto tokens = space.random(rng).tokens;
    auto& rows = i < train ? d.train : d.test;
    auto& targets = i < train ? d.train_targets : d.test_targets;
    targets.push_back(interacting_metric(tokens));
    rows.push_back(std::move(tokens));
  }
  return d;
}

// It ranks architectures it never saw, and better than the linear model
// where the metric has an interaction (which is why OFA uses an MLP).
TEST(MlpPredictor, RanksHeldOutArchitecturesOfANonlinearMetricBetterThanRidge) {
  const auto space = spaces::make_space("spos(stage_repeats=[2,2,2],stage_channels=[8,16,32],stem_channels=4)");
  const Data d = make_data(*space, 400, 100);
  MlpPredictor mlp(space, MlpPredictorOptions{.hidden = 64, .epochs = 150, .seed = 3});
  EXPECT_THROW(mlp.predict(d.test), std::logic_error);
  mlp.fit(d.train, d.train_targets);
  RidgePredictor ridge(space);
  ridge.fit(d.train, d.train_targets);
  const double mlp_tau = kendall_tau(mlp.predict(d.test), d.test_targets);
  const double ridge_tau = kendall_tau(ridge.predict(d.test), d.test_targets);
  EXPECT_GT(mlp_tau, 0.6);
  EXPECT_GT(mlp_tau, ridge_tau + 0.15) << "ridge tau " << ridge_tau;
  EXPECT_GT(mlp.validation_tau(), 0.5);  // on its own held-out 20 %
  EXPECT_NE(mlp.summary().find("trained on 320 architectures"), std::string::npos) << mlp.summary();
}

// One seed, one model; libtorch's global random stream is left as it was.
TEST(MlpPredictor, IsReproducibleAndLeavesTheGlobalRandomStateAlone) {
  const auto space = spaces::make_space("enas_micro(nodes=2)");
  const Data d = make_data(*space, 40, 10);
  torch::manual_seed(5);
  const torch::Tensor expected = torch::rand({3});
  torch::manual_seed(5);
  MlpPredictor a(space, MlpPredictorOptions{.hidden = 16, .epochs = 5, .seed = 1});
  a.fit(d.train, d.train_targets);
  EXPECT_TRUE(torch::equal(torch::rand({3}), expected));
  MlpPredictor b(space, MlpPredictorOptions{.hidden = 16, .epochs = 5, .seed = 1});
  b.fit(d.train, d.train_targets);
  EXPECT_EQ(a.predict(d.test), b.predict(d.test));
}

}  // namespace
}  // namespace controllers
