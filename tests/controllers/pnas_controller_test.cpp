#include "controllers/pnas_controller.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

// A synthetic reward with a known optimum: the mean value of a cell's ops,
// sep_conv_3x3 (op 0) worth 1 and every other op less, whatever the inputs.
double synthetic_reward(const spaces::Arch& cell) {
  static const double value[] = {1.0, 0.8, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1};
  double sum = 0;
  int ops = 0;
  for (std::size_t k = 0; k < cell.tokens.size(); ++k) {
    if (k % 4 < 2) continue;
    sum += value[cell.tokens[k]];
    ++ops;
  }
  return sum / ops;
}

PnasOptions small_pnas_options() {
  return PnasOptions().beam(32).surrogate_epochs(50).surrogate(SurrogateOptions().predictors(3));
}

// Proposes and observes in rounds of 8 until `rounds` rounds or the end.
void drive(PnasController& controller, int rounds = 1 << 30) {
  for (int round = 0; round < rounds && !controller.finished(); ++round) {
    const std::vector<Proposal> proposals = controller.propose(8);
    ASSERT_FALSE(proposals.empty()) << "nothing to propose before the search finished";
    std::vector<Feedback> feedback;
    for (const Proposal& p : proposals) feedback.push_back({p.id, synthetic_reward(p.arch)});
    controller.observe(feedback);
  }
}

TEST(PnasController, AProgressiveSearchOnASyntheticRewardFindsTheOptimum) {
  PnasController controller(spaces::make_space("pnas(blocks=3)"), small_pnas_options(), 1);
  drive(controller);
  ASSERT_TRUE(controller.finished());
  const auto& stages = controller.stages();
  ASSERT_EQ(stages.size(), 3u);
  EXPECT_EQ(stages[0].cells.size(), 136u);  // every distinct one-block cell
  EXPECT_EQ(stages[1].cells.size(), 32u);
  EXPECT_EQ(stages[2].cells.size(), 32u);
  EXPECT_GT(stages[1].candidates, 10000);  // the expansions of all 136 cells
  EXPECT_TRUE(std::isnan(stages[0].spearman));
  // Within a beam the measured accuracies lie close together, so its rank
  // correlation says little; what matters is that the surrogate picked
  // good cells: stage 2's beam is far better than stage 1's average.
  EXPECT_FALSE(std::isnan(stages[1].spearman));
  const auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); };
  EXPECT_LT(mean(stages[0].measured), 0.6);
  EXPECT_GT(mean(stages[1].measured), 0.85);
  const auto ranking = controller.ranking();
  ASSERT_EQ(ranking.size(), 32u);
  EXPECT_DOUBLE_EQ(ranking.front().second, 1.0) << ranking.front().first.tokens.size();
  EXPECT_EQ(ranking.front().first.space, "pnas(blocks=3)");
  EXPECT_TRUE(controller.propose(8).empty());
}

// Statistics that were never computed (no predictions for the first stage,
// no model training after the last) are said so in the log, never "nan".
TEST(PnasController, TheStageLogSaysWhatWasNotComputedInsteadOfPrintingNan) {
  PnasController controller(spaces::make_space("pnas(blocks=2)"), small_pnas_options(), 2);
  std::vector<std::string> lines;
  while (!controller.finished()) {
    drive(controller, 1);
    for (std::string& line : controller.take_report().log) lines.push_back(std::move(line));
  }
  ASSERT_EQ(lines.size(), 2u);  // one per stage
  for (const std::string& line : lines) EXPECT_EQ(line.find("nan"), std::string::npos) << line;
  EXPECT_NE(lines[0].find("no predictions for this stage's cells"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("model loss"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("Spearman"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("model not trained after this stage"), std::string::npos) << lines[1];
}

}  // namespace
}  // namespace controllers
