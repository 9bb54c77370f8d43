#include "controllers/fbnet_controller.h"

#include <gtest/gtest.h>

#include <cmath>

#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

spaces::SpacePtr small_fbnet() {
  return spaces::make_space("fbnet(stage_channels=[4,8],stage_repeats=[1,2],stage_strides=[1,2],stem_channels=4)");
}

// A latency table of 3 layers: block b of layer l takes (l + 1) * (b + 1) / 10 ms.
class FakeLatencies : public CostModel {
 public:
  Metrics costs(const spaces::Arch&) override { return {}; }
  std::string violation(const spaces::Arch&) override { return ""; }
  bool constrained() const override { return false; }
  std::vector<std::map<std::vector<std::int64_t>, double>> layer_latency_ms() const override {
    std::vector<std::map<std::vector<std::int64_t>, double>> layers(layers_);
    for (std::size_t l = 0; l < layers_; ++l) {
      for (std::int64_t b = 0; b < 9; ++b) layers[l][{b}] = double(l + 1) * double(b + 1) / 10.0;
    }
    return layers;
  }
  std::size_t layers_ = 3;
};

TEST(FbnetController, GumbelSamplesAreDistributionsOverTheBlocksAndReproducible) {
  FbnetController a(small_fbnet(), FbnetOptions(), 7), b(small_fbnet(), FbnetOptions(), 7);
  const torch::Tensor m = a.edge_weights()[0];
  EXPECT_EQ(m.sizes(), (std::vector<std::int64_t>{3, 9}));
  EXPECT_TRUE(torch::allclose(m.sum(-1), torch::ones({3})));
  EXPECT_TRUE(torch::equal(m, b.edge_weights()[0]));                // the same seed, the same noise
  EXPECT_FALSE(torch::equal(a.edge_weights()[0], m));               // a fresh sample each call
  EXPECT_GT(m.max().item<double>() - m.min().item<double>(), 0.0);  // noise, although θ is uniform
  // At τ = 5 a sample of a uniform θ stays near uniform (the Gumbel noise is divided by τ).
  EXPECT_LT(m.max().item<double>(), 0.5);
}

// The paper's loss CE · α · log(LAT)^β with LAT in microseconds, and
// JunrQ's CE + α · LAT^β with LAT in milliseconds; both fall as θ moves
// to faster blocks, so a θ step on the latency term alone lowers the
// weight of the slowest block.
TEST(FbnetController, TheLatencyAwareLossesFollowThePaperAndTheReimplementation) {
  FakeLatencies latencies;
  FbnetController multiplicative(small_fbnet(), FbnetOptions(), 1);
  multiplicative.use_cost_model(&latencies);
  const torch::Tensor uniform = torch::full({3, 9}, 1.0 / 9.0);
  // Expected latency of uniform weights: sum_l (l + 1) * mean_b (b + 1) / 10 = 6 * 0.5 = 3 ms.
  const torch::Tensor ce = torch::tensor(2.0);
  EXPECT_NEAR(multiplicative.architecture_loss(ce, {uniform}).item<double>(),
              2.0 * 0.2 * std::pow(std::log(3000.0), 0.6), 1e-4);
  FbnetController additive(small_fbnet(), FbnetOptions().loss("additive"), 1);
  additive.use_cost_model(&latencies);
  EXPECT_NEAR(additive.architecture_loss(ce, {uniform}).item<double>(), 2.0 + 0.2 * std::pow(3.0, 0.6), 1e-5);
  EXPECT_NEAR(multiplicative.table_latency_ms(small_fbnet()->parse("0 0 0")), 0.1 + 0.2 + 0.3, 1e-6);

  const torch::Tensor theta = multiplicative.architecture_parameters()[0];
  const torch::Tensor m = torch::softmax(theta, -1);
  const torch::Tensor loss = multiplicative.architecture_loss(ce, {m});
  const torch::Tensor gradient = torch::autograd::grad({loss}, {theta})[0];
  multiplicative.architecture_step({gradient}, loss.item<double>());
  const torch::Tensor p = torch::softmax(multiplicative.architecture_parameters()[0].detach(), -1);
  for (int l = 0; l < 3; ++l) EXPECT_LT(p[l][8].item<double>(), p[l][0].item<double>()) << l;  // slow < fast
  EXPECT_EQ(multiplicative.argmax().tokens, (std::vector<std::int64_t>{0, 0, 0}));
}

TEST(FbnetController, ALossThatNeedsLatenciesIsRefusedWithoutATable) {
  FbnetController controller(small_fbnet(), FbnetOptions(), 1);
  FakeLatencies none;
  none.layers_ = 0;
  try {
    controller.use_cost_model(&none);
    FAIL() << "not refused";
  } catch (const spaces::OptionError& e) {
    EXPECT_NE(std::string(e.what()).find("[search] latency_table"), std::string::npos) << e.what();
  }
  FakeLatencies other;
  other.layers_ = 4;
  EXPECT_THROW(controller.use_cost_model(&other), spaces::OptionError);
  FbnetController plain(small_fbnet(), FbnetOptions().loss("additive").alpha(0), 1);
  plain.use_cost_model(&none);
  EXPECT_DOUBLE_EQ(plain.architecture_loss(torch::tensor(1.5), {torch::full({3, 9}, 1.0 / 9.0)}).item<double>(), 1.5);
}

// Warm-up epochs train the weights only; afterwards an epoch trains the
// weights, then θ; τ decays by exp(-0.045) after every θ epoch.
TEST(FbnetController, TheScheduleWarmsUpThenAlternatesAndAnnealsTheTemperature) {
  FbnetController controller(small_fbnet(), FbnetOptions().warmup_epochs(2).samples(3), 1);
  ASSERT_EQ(controller.phases(1).size(), 2u);
  EXPECT_TRUE(std::holds_alternative<TrainWeightsPhase>(controller.phases(1)[0]));
  EXPECT_EQ(std::get<TrainWeightsPhase>(controller.phases(1)[0]).paths, PathSource::kMixed);
  ASSERT_EQ(controller.phases(2).size(), 3u);
  EXPECT_TRUE(std::holds_alternative<TrainArchitecturePhase>(controller.phases(2)[1]));
  EXPECT_EQ(std::get<EvaluatePhase>(controller.phases(2)[2]).per_update, 4);
  const std::vector<double> expected = {5.0, 5.0, 5.0, 5.0 * std::exp(-0.045), 5.0 * std::exp(-0.09)};
  for (std::size_t epoch = 0; epoch < expected.size(); ++epoch) {
    EXPECT_NEAR(controller.temperature(), expected[epoch], 1e-12) << epoch;
    const std::vector<Proposal> proposals = controller.propose(4);
    ASSERT_EQ(proposals.size(), 4u);
    EXPECT_EQ(proposals[0].arch, controller.argmax());
    std::vector<Feedback> feedback;
    for (const Proposal& p : proposals) feedback.push_back(Feedback{p.id, 0.5});
    controller.observe(feedback);
  }
  const Report report = controller.take_report();
  ASSERT_EQ(report.records.size(), expected.size());
  EXPECT_EQ(report.records[0].table, "theta");
}

// Derivation: the argmax of θ, or samples from P_θ = softmax(θ) (the
// last evaluation's, as the result with derive = "sample").
TEST(FbnetController, DerivesTheArgmaxAndSamplesFromTheBlockDistribution) {
  FbnetController controller(small_fbnet(), FbnetOptions(), 3);
  torch::Tensor theta = controller.architecture_parameters()[0];
  {
    torch::NoGradGuard no_grad;
    theta.zero_();
    theta[0][4] = 20.0;  // layer 0: k5_e1 with probability ~1
    theta[1][1] = 20.0;  // layer 1: k3_e1_g2
    theta[2][6] = 1.0;   // layer 2: k5_e3 most likely, the others possible
  }
  EXPECT_EQ(controller.argmax().tokens, (std::vector<std::int64_t>{4, 1, 6}));
  const std::vector<spaces::Arch> samples = controller.sample(200);
  int layer2_k5_e3 = 0;
  for (const spaces::Arch& arch : samples) {
    EXPECT_EQ(arch.tokens[0], 4);
    EXPECT_EQ(arch.tokens[1], 1);
    layer2_k5_e3 += arch.tokens[2] == 6 ? 1 : 0;
  }
  // P(k5_e3) = e / (e + 8) = 0.254: far from both certainty and the uniform 1/9.
  EXPECT_GT(layer2_k5_e3, 30);
  EXPECT_LT(layer2_k5_e3, 80);
  const std::vector<Proposal> proposals = controller.propose(3);
  EXPECT_EQ(proposals[0].arch, controller.argmax());
  EXPECT_EQ(controller.result(), (std::vector<spaces::Arch>{controller.argmax()}));
  FbnetController sampling(small_fbnet(), FbnetOptions().derive("sample"), 3);
  EXPECT_EQ(sampling.result(), (std::vector<spaces::Arch>{sampling.argmax()}));  // nothing sampled yet
  const std::vector<Proposal> drawn = sampling.propose(3);
  EXPECT_EQ(sampling.result(), (std::vector<spaces::Arch>{drawn[1].arch, drawn[2].arch}));
}

TEST(FbnetController, SearchesOnlyTheFbnetSpaceWithSettingsThatSearch) {
  EXPECT_THROW(FbnetController(spaces::make_space("spos"), FbnetOptions(), 0), spaces::OptionError);
  EXPECT_THROW(FbnetController(small_fbnet(), FbnetOptions().alpha(0), 0), spaces::OptionError);  // loss 0
  EXPECT_THROW(FbnetController(small_fbnet(), FbnetOptions().derive("sample").samples(0), 0), spaces::OptionError);
  FbnetController controller(small_fbnet(), FbnetOptions().warmup_epochs(0).temperature_decay(10), 0);
  FakeLatencies latencies;
  controller.use_cost_model(&latencies);
  for (int epoch = 0; epoch < 5; ++epoch) {
    std::vector<Feedback> feedback;
    for (const Proposal& p : controller.propose(1)) feedback.push_back(Feedback{p.id, 0.5});
    controller.observe(feedback);
  }
  EXPECT_DOUBLE_EQ(controller.temperature(), 1e-3);  // floored: 5 e^-50 would overflow (θ + g) / τ
  EXPECT_TRUE(torch::isfinite(controller.edge_weights()[0]).all().item<bool>());
  EXPECT_THROW(controller.table_latency_ms(spaces::make_space("spos")->parse("0 0 0 0 0 0 0 0 0 0")),
               spaces::ArchError);
}

}  // namespace
}  // namespace controllers
