#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "controllers/controller.h"
#include "spaces/completions.h"
#include "spaces/registry.h"
#include "tests/controllers/ask_tell_loop.h"

namespace controllers {
namespace {

// SPOS with channel search, 4 layers: tokens 0-3 are blocks (categorical,
// 4 each), tokens 4-7 widths (ordered, 8 each); 2^8 * 2^12 = 1M architectures.
const char* const kSpos = "spos(stage_repeats=[2,2],stage_channels=[8,16],stem_channels=4,channel_search=true)";

// Block 2 in every layer and a width near token 5: a known optimum of 2.
double spos_reward(const spaces::Arch& arch) {
  double reward = 0.0;
  for (int layer = 0; layer < 4; ++layer) {
    reward += arch.tokens[static_cast<std::size_t>(layer)] == 2 ? 0.25 : 0.0;
    const double w = double(arch.tokens[static_cast<std::size_t>(4 + layer)] - 5) / 7.0;
    reward += 0.25 * (1.0 - w * w);
  }
  return reward;
}

std::vector<spaces::Arch> search(Controller& controller, int budget, int per_update,
                                 double (*reward)(const spaces::Arch&)) {
  return test_support::ask_tell(controller, budget, per_update, reward);
}

double best_of(const std::vector<spaces::Arch>& archs, double (*reward)(const spaces::Arch&)) {
  double best = -1e300;
  for (const spaces::Arch& a : archs) best = std::max(best, reward(a));
  return best;
}

TEST(BayesOptController, FindsABetterBestOfNThanRandomSearchOnASmoothReward) {
  const auto space = spaces::make_space(kSpos);
  double bayes = 0.0, random = 0.0;
  const int seeds = 3, budget = 26;
  for (int seed = 0; seed < seeds; ++seed) {
    auto bo = make_controller("bayes_opt(warmup=10,pool_size=300,restarts=0)", space, 100 + seed);
    auto rs = make_controller("random", space, 100 + seed);
    const auto bo_archs = search(*bo, budget, 4, spos_reward);
    ASSERT_EQ(bo_archs.size(), static_cast<std::size_t>(budget));
    bayes += best_of(bo_archs, spos_reward) / seeds;
    random += best_of(search(*rs, budget, 4, spos_reward), spos_reward) / seeds;
  }
  EXPECT_GT(bayes, random + 0.05) << "bayes_opt " << bayes << ", random " << random;
}

double genet_reward(const spaces::Arch& arch) {
  double r = 0.0;
  for (std::size_t i = 0; i < arch.tokens.size(); ++i) r += double(arch.tokens[i]) * double(i + 1);
  return r;
}

TEST(BayesOptController, NeverProposesAnArchitectureTwiceAndStopsWhenTheSpaceRunsOut) {
  const auto space = spaces::make_space("genet(stages=[3,3])");  // 64 token sequences, 36 distinct
  const std::size_t distinct = spaces::distinct_completions(*space, {}).size();
  auto bo = make_controller("bayes_opt(warmup=3,pool_size=40,restarts=0)", space, 9);
  const auto archs = search(*bo, 10000, 5, genet_reward);
  std::set<std::uint64_t> hashes;
  for (const spaces::Arch& a : archs) EXPECT_TRUE(hashes.insert(space->canonical_hash(a)).second);
  EXPECT_EQ(archs.size(), distinct);
  EXPECT_TRUE(bo->propose(1).empty());
}

TEST(BayesOptController, WarmUpIsRandomAndTheModelThenExplainsItselfInTheLog) {
  auto bo = make_controller("bayes_opt(warmup=4,pool_size=50,restarts=0)", spaces::make_space("genet"), 2);
  search(*bo, 4, 4, genet_reward);
  EXPECT_TRUE(bo->take_report().log.empty());  // random so far
  search(*bo, 2, 2, genet_reward);
  const auto log = bo->take_report().log;
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("GP on 4 observations"), std::string::npos) << log[0];
}

class BayesOptResume : public testing::TestWithParam<std::string> {};

TEST_P(BayesOptResume, AResumedSearchProposesWhatTheUninterruptedOneDoes) {
  const auto space = spaces::make_space("genet");
  const std::string spec = "bayes_opt(warmup=4,pool_size=100,restarts=1,acquisition=" + GetParam() + ")";
  auto whole = make_controller(spec, space, 7), first = make_controller(spec, space, 7);
  search(*whole, 9, 3, genet_reward);
  search(*first, 9, 3, genet_reward);
  // Leave proposals outstanding when the state is taken.
  const auto pending_whole = whole->propose(2), pending_first = first->propose(2);
  auto resumed = make_controller(spec, space, 1234);
  resumed->load_state(first->state());
  for (auto* c : {whole.get(), resumed.get()}) c->take_report();
  const auto more_whole = whole->propose(2), more_resumed = resumed->propose(2);
  ASSERT_EQ(more_whole.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(more_whole[i].id, more_resumed[i].id);
    EXPECT_EQ(more_whole[i].arch, more_resumed[i].arch);
  }
  std::vector<Feedback> feedback;
  for (const auto* list : {&pending_whole, &more_whole}) {
    for (const Proposal& p : *list) feedback.push_back({p.id, genet_reward(p.arch)});
  }
  whole->observe(feedback);
  resumed->observe(feedback);
  const auto a = search(*whole, 6, 3, genet_reward), b = search(*resumed, 6, 3, genet_reward);
  EXPECT_EQ(a, b);
  EXPECT_EQ(whole->take_report().log, resumed->take_report().log);
}

INSTANTIATE_TEST_SUITE_P(BothAcquisitions, BayesOptResume, testing::Values("ei", "ucb"));

}  // namespace
}  // namespace controllers
