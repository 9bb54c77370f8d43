// What every performance predictor shares (controllers/performance_predictor.h):
// input checks, padding, and the factory, for each model make_predictor knows.

#include "controllers/performance_predictor.h"

#include <gtest/gtest.h>

#include "controllers/dynas_predictor.h"
#include "controllers/mlp_predictor.h"
#include "controllers/ridge_predictor.h"
#include "controllers/svr_predictor.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

class EveryPredictor : public testing::TestWithParam<std::string> {};

TEST_P(EveryPredictor, RefusesTooLittleDataAndTokensOutsideTheSpaceAndReadsPadding) {
  const auto space = spaces::make_space("enas_micro(nodes=2)");
  const auto predictor = make_predictor(GetParam(), space, 0);
  spaces::Rng rng(1);
  const std::vector<std::int64_t> one = space->random(rng).tokens;
  EXPECT_THROW(predictor->predict({one}), std::logic_error);
  EXPECT_THROW(predictor->fit({one}, {0.5}), std::invalid_argument);
  EXPECT_THROW(predictor->fit({one, one}, {0.5}), std::invalid_argument);
  std::vector<std::int64_t> bad = one;
  bad[1] = 99;
  EXPECT_THROW(predictor->fit({one, bad}, {0.5, 0.6}), std::invalid_argument);
  // Padding (-1) is an all-zero block: smaller cells fit.
  std::vector<std::int64_t> padded = one;
  padded.back() = -1;
  predictor->fit({one, padded, one}, {0.5, 0.4, 0.5});
  EXPECT_EQ(predictor->predict({padded}).size(), 1u);
  EXPECT_THROW(predictor->predict({bad}), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Models, EveryPredictor, testing::ValuesIn(predictor_models()));

TEST(MakePredictor, BuildsEachModelAndRefusesUnknownOnes) {
  const auto space = spaces::make_space("enas_micro(nodes=2)");
  EXPECT_NE(dynamic_cast<RidgePredictor*>(make_predictor("ridge", space, 0).get()), nullptr);
  EXPECT_NE(dynamic_cast<MlpPredictor*>(make_predictor("mlp", space, 0).get()), nullptr);
  EXPECT_NE(dynamic_cast<SvrPredictor*>(make_predictor("svr", space, 0).get()), nullptr);
  EXPECT_NE(dynamic_cast<DynasPredictor*>(make_predictor("dynas", space, 0).get()), nullptr);
  EXPECT_THROW(make_predictor("forest", space, 0), std::invalid_argument);
}

}  // namespace
}  // namespace controllers
