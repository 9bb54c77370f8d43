#include "childnets/training.h"

#include <gtest/gtest.h>

#include "spaces/registry.h"
#include "tests/childnets/small_network.h"

namespace childnets {
namespace {

TEST(Schedules, CosineRunsFromMaxToMin) {
  EXPECT_DOUBLE_EQ(cosine_lr(0, 10, 0.1, 0.001), 0.1);
  EXPECT_NEAR(cosine_lr(5, 10, 0.1, 0.001), 0.0505, 1e-12);
  EXPECT_NEAR(cosine_lr(10, 10, 0.1, 0.001), 0.001, 1e-12);
}

TEST(Schedules, WarmRestartsRestartAtTheEndOfEachLongerPeriod) {
  // T0 = 10, Tmul = 2: restarts at epochs 10 and 30.
  EXPECT_DOUBLE_EQ(cosine_restarts_lr(0, 0.05, 0.0005, 10, 2), 0.05);
  EXPECT_NEAR(cosine_restarts_lr(9.999, 0.05, 0.0005, 10, 2), 0.0005, 1e-6);
  EXPECT_DOUBLE_EQ(cosine_restarts_lr(10, 0.05, 0.0005, 10, 2), 0.05);
  EXPECT_NEAR(cosine_restarts_lr(20, 0.05, 0.0005, 10, 2), 0.02525, 1e-12);  // middle of the 20-epoch period
  EXPECT_DOUBLE_EQ(cosine_restarts_lr(30, 0.05, 0.0005, 10, 2), 0.05);
}

TEST(Schedules, DropPathGrowsLinearly) {
  EXPECT_DOUBLE_EQ(linear_drop_path(0, 600, 0.2), 0.0);
  EXPECT_DOUBLE_EQ(linear_drop_path(300, 600, 0.2), 0.1);
  EXPECT_DOUBLE_EQ(linear_drop_path(900, 600, 0.2), 0.2);
}

// decay_all(false): a step with zero gradients shrinks a matrix by the
// decay and leaves a bias where it was (SPOS's parameter groups).
TEST(Sgd, WithoutDecayAllOnlyTensorsOfTwoOrMoreDimensionsDecay) {
  for (const bool decay_all : {true, false}) {
    torch::Tensor matrix = torch::ones({2, 3}).requires_grad_(), bias = torch::ones({3}).requires_grad_();
    auto sgd = make_sgd({matrix, bias},
                        SgdOptions().lr(0.5).momentum(0).nesterov(false).weight_decay(0.1).decay_all(decay_all));
    EXPECT_EQ(sgd->param_groups().size(), decay_all ? 1u : 2u);
    matrix.mutable_grad() = torch::zeros_like(matrix);
    bias.mutable_grad() = torch::zeros_like(bias);
    sgd->step();
    EXPECT_TRUE(torch::allclose(matrix, torch::full({2, 3}, 0.95))) << decay_all;
    EXPECT_TRUE(torch::allclose(bias, torch::full({3}, decay_all ? 0.95 : 1.0))) << decay_all;
  }
}

TEST(TrainStep, WeightsOffTheSampledPathDoNotMoveEvenWithMomentumAndDecay) {
  torch::manual_seed(0);
  const auto space = spaces::make_space("enas_micro(nodes=2)");
  ParameterStore store = make_shared_store(space, testing::small_network());
  ChildNetwork network(space, testing::small_network(), store);
  auto sgd = make_sgd(store->parameters(), SgdOptions().lr(0.1).momentum(0.9).weight_decay(0.1));
  const auto a = space->decode(space->parse("0 0 1 1 2 3 0 0  0 0 1 1 2 3 0 0"));
  const auto b = space->decode(space->parse("1 1 0 0 2 2 1 1  1 1 0 0 2 2 1 1"));
  const torch::Tensor x = torch::randn({4, 1, 8, 8});
  const torch::Tensor y = torch::tensor({0, 1, 2, 0});
  train_step(*network, *sgd, x, y, a, StepOptions());  // gives path a momentum buffers
  const torch::Tensor before = store->get<SepConvImpl>("c0.n2.s0.i0.sep_conv_3x3").pointwise->parameters()[0].clone();
  train_step(*network, *sgd, x, y, b, StepOptions());  // a's edge c0.n2.s0.i0 is off path b
  const torch::Tensor after = store->get<SepConvImpl>("c0.n2.s0.i0.sep_conv_3x3").pointwise->parameters()[0];
  EXPECT_TRUE(torch::equal(before, after));
  EXPECT_FALSE(torch::equal(store->get<SepConvImpl>("c0.n2.s0.i1.sep_conv_5x5").pointwise->parameters()[0],
                            make_shared_store(space, testing::small_network())
                                ->get<SepConvImpl>("c0.n2.s0.i1.sep_conv_5x5")
                                .pointwise->parameters()[0]));
}

TEST(TrainStep, LearnsASmallProblemAndClipsTheGradient) {
  torch::manual_seed(1);
  const auto space = spaces::make_space("pnas(blocks=1)");
  const NetworkOptions options = testing::small_network();
  const spaces::Arch arch = space->parse("0 1 0 7");
  auto network = ChildNetworkImpl::standalone(space, options, arch);
  auto sgd = make_sgd(network->trainable_parameters(), SgdOptions().lr(0.05));
  // Class = which third of the image is bright.
  torch::Tensor x = torch::randn({24, 1, 8, 8}) * 0.1;
  torch::Tensor y = torch::arange(24) % 3;
  for (int i = 0; i < 24; ++i) {
    const int k = static_cast<int>(y[i].item<std::int64_t>());
    x[i].narrow(1, k * 2, 3).add_(2.0);
  }
  const auto graph = space->decode(arch);
  const double first = train_step(*network, *sgd, x, y, graph, StepOptions().grad_clip(1.0)).loss;
  StepResult last;
  for (int step = 0; step < 60; ++step) last = train_step(*network, *sgd, x, y, graph, StepOptions().grad_clip(1.0));
  EXPECT_LT(last.loss, first * 0.5);
  const EvalResult eval = evaluate(*network, x, y, graph);
  EXPECT_GE(eval.accuracy(), 0.9);
  EXPECT_EQ(eval.count, 24);
  EXPECT_TRUE(network->is_training());  // evaluate restores the mode
}

TEST(TrainStep, AuxiliaryLossAddsToTheBackwardPassOnly) {
  torch::manual_seed(2);
  const auto space = spaces::make_space("darts(nodes=1)");
  const spaces::Arch arch = space->parse("0 3 1 2  0 0 1 1");
  auto network = ChildNetworkImpl::standalone(space, testing::small_network().auxiliary(true), arch);
  auto sgd = make_sgd(network->trainable_parameters(), SgdOptions());
  train_step(*network, *sgd, torch::randn({4, 1, 8, 8}), torch::tensor({0, 1, 2, 0}), space->decode(arch),
             StepOptions());
  EXPECT_TRUE(network->store()->get<AuxiliaryHeadImpl>("aux").linear->weight.grad().defined());
  network->eval();
  EXPECT_FALSE(network->forward(torch::randn({2, 1, 8, 8})).aux_logits.defined());
}

}  // namespace
}  // namespace childnets
