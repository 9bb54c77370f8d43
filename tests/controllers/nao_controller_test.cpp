#include "controllers/nao_controller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "controllers/rank_correlation.h"
#include "spaces/completions.h"
#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

// A synthetic reward: the share of separable convolutions (ops 0 and 1 of
// the nao space) among a cell's ops, plus a little noise.
double sep_conv_share(const spaces::SearchSpace& space, const spaces::Arch& arch, std::mt19937_64* noise = nullptr) {
  double count = 0, ops = 0;
  for (std::size_t k = 0; k < arch.tokens.size(); ++k) {
    if (space.decisions()[k].kind != spaces::DecisionKind::kOp) continue;
    count += arch.tokens[k] <= 1 ? 1 : 0;
    ++ops;
  }
  const double jitter = noise == nullptr ? 0.0 : std::normal_distribution<double>(0.0, 0.01)(*noise);
  return count / ops + jitter;
}

NaoOptions small_nao_options() {
  return NaoOptions().seed_archs(40).cycles(3).top_k(10).new_archs(12).random_archs(3).epochs(30).batch_size(20);
}

std::vector<spaces::Arch> distinct_random(const spaces::SearchSpace& space, std::size_t n, std::uint64_t seed) {
  spaces::Rng rng(seed);
  std::unordered_set<std::uint64_t> seen;
  return spaces::distinct_random(space, n, seen, rng);
}

// Proposes and observes in rounds of 16 with the synthetic reward until
// `rounds` rounds or the end.
void drive(NaoController& controller, const spaces::SearchSpace& space, int rounds = 1 << 30) {
  for (int round = 0; round < rounds && !controller.finished(); ++round) {
    const std::vector<Proposal> proposals = controller.propose(16);
    ASSERT_FALSE(proposals.empty()) << "nothing to propose before the search finished";
    std::vector<Feedback> feedback;
    for (const Proposal& p : proposals) feedback.push_back({p.id, sep_conv_share(space, p.arch)});
    controller.observe(feedback);
  }
}

TEST(NaoVocabulary, IsNaosOwnTwelveTokensForFiveNodes) {
  const auto space = spaces::make_space("nao(nodes=5)");
  NaoVocabulary vocabulary(space);
  EXPECT_EQ(vocabulary.size(), 12);
  EXPECT_EQ(vocabulary.length(), 40);
  const spaces::Arch arch =
      space->parse("0 2 1 0 2 4 0 1 1 3 2 0 3 1 1 2 0 0 4 3 1 1 0 3 2 2 1 0 3 4 2 2 0 1 3 3 4 0 5 1");
  const torch::Tensor tokens = vocabulary.tokens({arch});
  // Inputs 0..5 are tokens 1..6, ops 0..4 tokens 7..11.
  EXPECT_EQ(tokens[0][0].item<std::int64_t>(), 1);
  EXPECT_EQ(tokens[0][1].item<std::int64_t>(), 9);
  EXPECT_EQ(tokens[0][38].item<std::int64_t>(), 6);
  const torch::Tensor row = tokens[0].contiguous();
  EXPECT_EQ(vocabulary.values({row.data_ptr<std::int64_t>(), 40}), arch.tokens);
  EXPECT_EQ(vocabulary.value(7, 0), -1);  // an op token at an input position
  EXPECT_EQ(vocabulary.value(0, 1), -1);  // the start token
  EXPECT_THROW(NaoVocabulary(spaces::make_space("enas_macro(layers=4)")), spaces::OptionError);
}

TEST(NaoController, ASymmetricSwapIsTheSameCell) {
  const auto space = spaces::make_space("nao(nodes=5)");
  NaoController controller(space, small_nao_options(), 3);
  int changed = 0;
  for (const spaces::Arch& arch : distinct_random(*space, 50, 4)) {
    const spaces::Arch swapped = controller.swap_symmetric(arch);
    EXPECT_TRUE(space->is_valid(swapped));
    EXPECT_EQ(space->canonical_hash(swapped), space->canonical_hash(arch));
    changed += swapped.tokens != arch.tokens;
  }
  EXPECT_GT(changed, 40);
}

// The decoder learns to reconstruct a small pool, and the predictor learns
// the synthetic reward well enough to rank architectures it never saw.
TEST(NaoController, LearnsToReconstructAndToRankHeldOutArchitectures) {
  const auto space = spaces::make_space("nao(nodes=5)");
  NaoController controller(space, small_nao_options().batch_size(50).lr(3e-3), 5);
  const std::vector<spaces::Arch> all = distinct_random(*space, 250, 6);
  const std::vector<spaces::Arch> train(all.begin(), all.begin() + 150), held_out(all.begin() + 150, all.end());
  std::mt19937_64 noise(7);
  std::vector<double> targets;
  for (const auto& arch : train) targets.push_back(sep_conv_share(*space, arch, &noise));
  controller.train(train, targets, 70);
  EXPECT_GE(controller.reconstruction(train).first, 0.99);
  std::vector<double> truth;
  for (const auto& arch : held_out) truth.push_back(sep_conv_share(*space, arch));
  EXPECT_GE(kendall_tau(controller.predict(held_out), truth), 0.8);
}

// Moving the encoder outputs along the predictor's gradient raises the
// predicted score, more with a larger step; every decoded architecture is
// valid, new and descends from a parent.
TEST(NaoController, GradientAscentRaisesThePredictionAndDecodesOnlyValidNewArchitectures) {
  const auto space = spaces::make_space("nao(nodes=5)");
  NaoController controller(space, small_nao_options().batch_size(50), 8);
  const std::vector<spaces::Arch> pool = distinct_random(*space, 200, 9);
  std::vector<double> targets;
  for (const auto& arch : pool) targets.push_back(sep_conv_share(*space, arch));
  controller.train(pool, targets, 40);
  const std::vector<spaces::Arch> parents(pool.begin(), pool.begin() + 20);

  NaoModel& model = controller.model();
  model->eval();
  const NaoEncoding encoding = model->encode(controller.vocabulary().tokens(parents));
  const torch::Tensor outputs = encoding.outputs.detach().requires_grad_(true);
  const torch::Tensor scores = model->predict(NaoModelImpl::summarise(outputs).embedding);
  const torch::Tensor gradient = torch::autograd::grad({scores.sum()}, {outputs})[0];
  torch::NoGradGuard no_grad;
  double previous = -1;
  for (double step : {0.0, 1.0, 2.0, 4.0, 8.0}) {
    const double mean =
        model->predict(NaoModelImpl::summarise(outputs + step * gradient).embedding).mean().item<double>();
    EXPECT_GT(mean, previous) << "step " << step;
    previous = mean;
  }

  std::unordered_set<std::uint64_t> exclude;
  for (const auto& arch : pool) exclude.insert(space->canonical_hash(arch));
  const std::size_t excluded = exclude.size();
  const std::vector<GeneratedArch> generated = controller.generate(parents, 30, exclude);
  ASSERT_EQ(generated.size(), 30u);
  EXPECT_EQ(exclude.size(), excluded + 30);  // all new, and distinct
  double improvement = 0;
  for (const GeneratedArch& g : generated) {
    EXPECT_TRUE(space->is_valid(g.arch));
    EXPECT_NE(std::find(parents.begin(), parents.end(), g.parent), parents.end());
    EXPECT_GE(g.step_size, 1.0);
    improvement += g.predicted_improvement;
  }
  EXPECT_GT(improvement, 0.0);
}

// Masked decoding emits valid architectures even from an untrained model
// and from arbitrary points of the embedding space; unmasked it need not.
TEST(NaoModel, MaskedDecodingIsAlwaysValid) {
  for (const std::string spec : {"nao(nodes=5)", "darts", "pnas(blocks=3)"}) {
    const auto space = spaces::make_space(spec);
    NaoVocabulary vocabulary(space);
    NaoModel model(vocabulary.size(), vocabulary.length(), NaoModelOptions(), 11);
    model->eval();
    torch::NoGradGuard no_grad;
    const NaoEncoding random = NaoModelImpl::summarise(torch::randn({32, vocabulary.length() / 2, 96}));
    const torch::Tensor decoded = model->greedy_decode(random, &vocabulary);
    for (std::int64_t row = 0; row < decoded.size(0); ++row) {
      const torch::Tensor r = decoded[row].contiguous();
      const auto values = vocabulary.values({r.data_ptr<std::int64_t>(), static_cast<std::size_t>(r.numel())});
      EXPECT_TRUE(space->is_valid(space->make_arch(values))) << spec << " row " << row;
    }
  }
}

TEST(NaoController, CyclesScoreThePoolGenerateAndFinish) {
  const auto space = spaces::make_space("nao(nodes=5)");
  NaoController controller(space, small_nao_options(), 12);
  drive(controller, *space);
  ASSERT_TRUE(controller.finished());
  const auto& cycles = controller.stages();
  ASSERT_EQ(cycles.size(), 3u);
  for (const StageRecord& cycle : cycles) EXPECT_EQ(cycle.cells.size(), 40u);  // the pool keeps its size
  EXPECT_TRUE(std::isnan(cycles[0].predicted_mean[0]));
  EXPECT_TRUE(std::isnan(cycles[0].spearman));
  for (std::size_t c = 0; c < 2; ++c) {
    // Up to 12 generated, then 3 random; the next pool is the best of the
    // old one, then those, in order.
    const auto& added = cycles[c].generated;
    ASSERT_GE(added.size(), 4u);
    ASSERT_LE(added.size(), 15u);
    EXPECT_GE(added.front().step_size, 1.0);
    EXPECT_EQ(added.front().parent.tokens.size(), 40u);
    for (std::size_t i = added.size() - 3; i < added.size(); ++i) EXPECT_TRUE(added[i].parent.tokens.empty());
    const std::size_t kept = 40 - added.size();
    for (std::size_t i = 0; i < added.size(); ++i) EXPECT_EQ(cycles[c + 1].cells[kept + i], added[i].arch);
    std::vector<double> measured = cycles[c].measured;
    std::sort(measured.rbegin(), measured.rend());
    for (std::size_t i = 0; i < kept; ++i) {
      const auto at = std::find(cycles[c].cells.begin(), cycles[c].cells.end(), cycles[c + 1].cells[i]);
      ASSERT_NE(at, cycles[c].cells.end());
      EXPECT_EQ(cycles[c].measured[static_cast<std::size_t>(at - cycles[c].cells.begin())], measured[i]);
    }
    EXPECT_FALSE(std::isnan(cycles[c + 1].predicted_mean[0]));
    EXPECT_GT(cycles[c].reconstruction_accuracy, 0.0);
    EXPECT_LE(cycles[c].reconstruction_accuracy, 1.0);
    EXPECT_GE(cycles[c].valid_rate, 0.0);
    EXPECT_LE(cycles[c].valid_rate, 1.0);
    EXPECT_FALSE(std::isnan(cycles[c + 1].kendall));
    EXPECT_FALSE(std::isnan(cycles[c].surrogate_loss));
  }
  EXPECT_TRUE(cycles[2].generated.empty());  // the last cycle only scores
  EXPECT_EQ(controller.completed_stages().size(), 3u);
}

}  // namespace
}  // namespace controllers
