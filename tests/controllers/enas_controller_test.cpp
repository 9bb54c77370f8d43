#include "controllers/enas_controller.h"

#include <gtest/gtest.h>

#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

TEST(EnasController, ProbabilitiesOfTheWholeSpaceSumToOne) {
  // Scoring every architecture of a tiny space by teacher forcing is a
  // direct computation of the policy's distribution.
  for (const char* spec : {"enas_micro(nodes=1)", "enas_macro(layers=3)"}) {
    const auto space = spaces::make_space(spec);
    EnasController controller(space, EnasOptions().lstm_size(16), 2);
    std::vector<spaces::Arch> all;
    std::vector<std::int64_t> tokens(space->num_tokens(), 0);
    while (true) {
      if (space->is_valid(space->make_arch(tokens))) all.push_back(space->make_arch(tokens));
      std::size_t i = 0;
      for (; i < tokens.size(); ++i) {
        if (++tokens[i] < space->decisions()[i].num_choices) break;
        tokens[i] = 0;
      }
      if (i == tokens.size()) break;
    }
    ASSERT_EQ(spaces::BigCount(all.size()), space->size()) << spec;
    torch::NoGradGuard no_grad;
    const Rollout r = controller.rollout(static_cast<std::int64_t>(all.size()), &all);
    EXPECT_NEAR(r.log_prob.exp().sum().item<double>(), 1.0, 1e-4) << spec;
  }
}

TEST(EnasController, ScoringTheSampledTokensGivesTheSamplingLogProbabilities) {
  const auto space = spaces::make_space("enas_micro");
  EnasController controller(space, EnasOptions(), 3);
  torch::NoGradGuard no_grad;
  const Rollout sampled = controller.rollout(32);
  std::vector<spaces::Arch> archs;
  for (std::int64_t i = 0; i < 32; ++i) {
    const torch::Tensor row = sampled.tokens[i].contiguous();
    archs.push_back(space->make_arch({row.data_ptr<std::int64_t>(), row.data_ptr<std::int64_t>() + row.numel()}));
  }
  const Rollout scored = controller.rollout(32, &archs);
  EXPECT_TRUE(torch::equal(scored.tokens, sampled.tokens));
  EXPECT_TRUE(torch::allclose(scored.log_prob, sampled.log_prob, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(scored.entropy, sampled.entropy, 1e-5, 1e-5));
}

TEST(EnasController, BatchedAndOneByOneSamplingAgree) {
  // The batched pass computes, row by row, exactly what 64 passes of one
  // architecture compute: same log-probabilities and entropies.
  for (const char* spec : {"enas_micro", "enas_macro"}) {
    const auto space = spaces::make_space(spec);
    EnasController controller(space, EnasOptions(), 4);
    torch::NoGradGuard no_grad;
    const auto proposals = controller.propose(64);
    std::vector<spaces::Arch> archs;
    for (const auto& p : proposals) archs.push_back(p.arch);
    const Rollout batched = controller.rollout(64, &archs);
    for (std::int64_t i = 0; i < 64; i += 7) {
      const std::vector<spaces::Arch> one{archs[static_cast<std::size_t>(i)]};
      const Rollout single = controller.rollout(1, &one);
      EXPECT_NEAR(single.log_prob.item<double>(), batched.log_prob[i].item<double>(), 1e-4) << spec << " row " << i;
      EXPECT_NEAR(single.entropy.item<double>(), batched.entropy[i].item<double>(), 1e-4) << spec << " row " << i;
    }
  }
}

double share_of_op_zero(const spaces::SearchSpace& space, const std::vector<Proposal>& proposals) {
  double share = 0;
  for (const auto& p : proposals) {
    int ops = 0, zeros = 0;
    for (std::size_t i = 0; i < p.arch.tokens.size(); ++i) {
      if (space.decisions()[i].kind != spaces::DecisionKind::kOp) continue;
      ++ops;
      zeros += p.arch.tokens[i] == 0 ? 1 : 0;
    }
    share += double(zeros) / ops;
  }
  return share / static_cast<double>(proposals.size());
}

TEST(EnasController, LearnsToPickTheOpARewardFavours) {
  const auto space = spaces::make_space("enas_micro(nodes=2)");
  EnasController controller(space, EnasOptions().lr(0.01), 5);
  const double before = share_of_op_zero(*space, controller.propose(200));
  controller.observe({});
  for (int update = 0; update < 150; ++update) {
    const auto proposals = controller.propose(10);
    std::vector<Feedback> feedback;
    for (const auto& p : proposals) feedback.push_back({p.id, share_of_op_zero(*space, {p})});
    const UpdateStats stats = controller.observe(feedback);
    EXPECT_TRUE(std::isfinite(stats.loss));
  }
  const double after = share_of_op_zero(*space, controller.propose(200));
  EXPECT_NEAR(before, 0.2, 0.06);
  // op logits are bounded by tanh_constant / op_tanh_reduce = 0.44, so the
  // most any op can reach is e^.44 / (e^.44 + 4 e^-.44) = 0.375.
  EXPECT_GT(after, 0.33);
}

}  // namespace
}  // namespace controllers

namespace controllers {
namespace {

TEST(EnasController, SamplingAloneDrawsWhatProposingDraws) {
  for (const char* spec : {"enas_micro", "enas_macro"}) {
    const auto space = spaces::make_space(spec);
    EnasController a(space, EnasOptions(), 8), b(space, EnasOptions(), 8);
    const auto sampled = a.sample(20);
    const auto proposed = b.propose(20);
    for (std::size_t i = 0; i < sampled.size(); ++i) EXPECT_EQ(sampled[i], proposed[i].arch) << spec << " " << i;
  }
}

}  // namespace
}  // namespace controllers
