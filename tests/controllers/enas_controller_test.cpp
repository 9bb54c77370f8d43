#include "controllers/enas_controller.h"

#include <gtest/gtest.h>

#include "spaces/errors.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

TEST(EnasController, SampledTokensAreAlwaysValid) {
  for (const char* spec : {"enas_micro", "nao", "enas_macro", "enas_micro(nodes=2)"}) {
    const auto space = spaces::make_space(spec);
    EnasController controller(space, EnasOptions(), 1);
    for (const auto& p : controller.propose(200))
      ASSERT_TRUE(space->is_valid(p.arch)) << spec << ": " << spaces::join_tokens(p.arch.tokens);
  }
}

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

TEST(EnasController, StateResumesTheSameProposalsAndUpdates) {
  const auto space = spaces::make_space("enas_macro(layers=4)");
  EnasController original(space, EnasOptions(), 6);
  for (int i = 0; i < 3; ++i) {
    const auto proposals = original.propose(10);
    std::vector<Feedback> feedback;
    for (const auto& p : proposals) feedback.push_back({p.id, 0.1 * static_cast<double>(p.arch.tokens[0])});
    original.observe(feedback);
  }
  const ControllerState saved = original.state();
  EnasController resumed(space, EnasOptions(), 999);
  resumed.load_state(saved);
  for (int i = 0; i < 2; ++i) {
    const auto a = original.propose(10), b = resumed.propose(10);
    std::vector<Feedback> fa, fb;
    for (std::size_t k = 0; k < a.size(); ++k) {
      ASSERT_EQ(a[k].arch, b[k].arch);
      ASSERT_EQ(a[k].id, b[k].id);
      fa.push_back({a[k].id, 0.3});
      fb.push_back({b[k].id, 0.3});
    }
    const UpdateStats sa = original.observe(fa), sb = resumed.observe(fb);
    EXPECT_DOUBLE_EQ(sa.loss, sb.loss);
    EXPECT_DOUBLE_EQ(sa.baseline, sb.baseline);
  }
  ControllerState broken = saved;
  broken.tensors.erase("policy.start");
  EXPECT_THROW(resumed.load_state(broken), std::invalid_argument);
}

TEST(EnasController, RefusesSpacesItCannotSample) {
  EXPECT_THROW(EnasController(spaces::make_space("pnas"), EnasOptions(), 0), spaces::OptionError);
  EXPECT_THROW(EnasController(spaces::make_space("genet"), EnasOptions(), 0), spaces::OptionError);
}

TEST(EnasController, ObserveRefusesUnknownIds) {
  EnasController controller(spaces::make_space("enas_micro(nodes=1)"), EnasOptions(), 0);
  controller.propose(2);
  EXPECT_THROW(controller.observe({{42, 1.0}}), std::invalid_argument);
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
