#include "controllers/pnas_surrogate.h"

#include <gtest/gtest.h>

#include <random>

#include "controllers/rank_correlation.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

// A synthetic reward: the share of separable convolutions (PNAS ops 0-2)
// among a cell's ops, mapped into [0.3, 0.9], plus a little noise.
struct SyntheticCells {
  std::vector<std::vector<std::int64_t>> cells;
  std::vector<double> reward;
};

SyntheticCells synthetic(const std::string& space_spec, int count, std::uint64_t seed) {
  const spaces::SpacePtr space = spaces::make_space(space_spec);
  spaces::Rng rng(seed);
  std::normal_distribution<double> noise(0.0, 0.01);
  SyntheticCells data;
  for (int i = 0; i < count; ++i) {
    const spaces::Arch arch = space->random(rng);
    int separable = 0, ops = 0;
    for (std::size_t k = 0; k < arch.tokens.size(); ++k) {
      if (k % 4 < 2) continue;
      ++ops;
      separable += arch.tokens[k] <= 2;
    }
    data.cells.push_back(arch.tokens);
    data.reward.push_back(0.3 + 0.6 * double(separable) / double(ops) + noise(rng));
  }
  return data;
}

void expect_fits_held_out_cells(const SurrogateOptions& options) {
  const SyntheticCells train = synthetic("pnas(blocks=3)", 400, 1), test = synthetic("pnas(blocks=3)", 200, 2);
  SurrogateEnsemble ensemble(CellVocabulary{3, 8}, options, 5);
  const double loss = ensemble.fit(train.cells, train.reward, 60);
  EXPECT_LT(loss, 0.05);
  const SurrogateEnsemble::Scores scores = ensemble.predict(test.cells);
  EXPECT_GT(spearman(scores.mean, test.reward), 0.9) << options.kind();
  double spread = 0;
  for (double s : scores.spread) spread += s;
  EXPECT_GT(spread, 0.0) << "predictors trained on different shares disagree somewhat";
}

TEST(PnasSurrogate, LstmEnsembleRanksHeldOutCellsOfASyntheticReward) {
  expect_fits_held_out_cells(SurrogateOptions().predictors(3));
}

TEST(PnasSurrogate, MlpEnsembleRanksHeldOutCellsOfASyntheticReward) {
  expect_fits_held_out_cells(SurrogateOptions().kind("mlp").predictors(3).sampling("bootstrap").loss("l2"));
}

TEST(PnasSurrogate, MixedBlockCountsKeepTheirOrderAndStateRoundTrips) {
  const SyntheticCells one = synthetic("pnas(blocks=1)", 20, 3), three = synthetic("pnas(blocks=3)", 20, 4);
  std::vector<std::vector<std::int64_t>> mixed;
  std::vector<double> reward;
  for (int i = 0; i < 20; ++i) {
    mixed.push_back(one.cells[static_cast<std::size_t>(i)]);
    mixed.push_back(three.cells[static_cast<std::size_t>(i)]);
    reward.push_back(one.reward[static_cast<std::size_t>(i)]);
    reward.push_back(three.reward[static_cast<std::size_t>(i)]);
  }
  SurrogateEnsemble ensemble(CellVocabulary{3, 8}, SurrogateOptions().predictors(2), 7);
  ensemble.fit(mixed, reward, 2);
  const auto scores = ensemble.predict(mixed);
  const auto ones = ensemble.predict(one.cells);
  for (int i = 0; i < 20; ++i) {
    EXPECT_DOUBLE_EQ(scores.mean[static_cast<std::size_t>(2 * i)], ones.mean[static_cast<std::size_t>(i)]);
  }
  SurrogateEnsemble copy(CellVocabulary{3, 8}, SurrogateOptions().predictors(2), 99);
  StateDict saved;
  StateFields saver = StateFields::saver(saved, "surrogate");
  ensemble.state_fields(saver);
  StateFields loader = StateFields::loader(saved, "surrogate");
  copy.state_fields(loader);
  EXPECT_EQ(copy.predict(mixed).mean, scores.mean);
  EXPECT_THROW(SurrogateEnsemble(CellVocabulary{3, 8}, SurrogateOptions().kind("gru"), 0), std::invalid_argument);
  EXPECT_THROW(ensemble.predict(torch::zeros({2, 5}, torch::kLong)), std::invalid_argument);
}

}  // namespace
}  // namespace controllers
