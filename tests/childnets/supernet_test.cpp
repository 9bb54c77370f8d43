#include "childnets/supernet.h"

#include <gtest/gtest.h>

#include <tuple>

#include "childnets/training.h"
#include "spaces/darts_space.h"
#include "spaces/registry.h"
#include "tests/childnets/small_network.h"

namespace childnets {
namespace {

const std::vector<std::string>& kPrimitives = spaces::darts_primitives();

TEST(Supernet, HasDartsSearchNetworksParameterCount) {
  // model_search.Network(16, 10, 8) holds 1,930,618 parameters for CIFAR-10
  // (3-channel input); with a 1-channel stem, as the DARTS peer benchmark
  // builds it for Fashion-MNIST, 1,929,754.
  const auto space = spaces::make_space("darts");
  for (const auto& [channels, count] : {std::pair<std::int64_t, std::int64_t>{3, 1930618}, {1, 1929754}}) {
    const NetworkOptions options =
        NetworkOptions().input_channels(channels).image_size(32).num_classes(10).channels(16).cells_per_stage(2);
    EXPECT_EQ(make_supernet_store(space, options, kPrimitives)->num_parameters(), count) << channels;
  }
}

// darts(nodes=2) on testing::small_network() (N R N R N: both cell
// types), its weights drawn after torch::manual_seed(seed).
struct SmallSupernet {
  explicit SmallSupernet(std::uint64_t seed) : seeded((torch::manual_seed(seed), true)) {}
  std::tuple<const spaces::SpacePtr&, ParameterStore&, ChildNetwork&> parts() { return {space, store, network}; }

  bool seeded;
  spaces::SpacePtr space = spaces::make_space("darts(nodes=2)");
  ParameterStore store = make_supernet_store(space, testing::small_network(), kPrimitives);
  ChildNetwork network = make_supernet(space, testing::small_network(), kPrimitives, store);
};

TEST(Supernet, OneHotMixingRunsTheDiscreteGenotypeOnTheSameWeights) {
  SmallSupernet s(0);
  const auto& [space, store, network] = s.parts();
  // node 2 = sep_conv_3x3(in1) + skip(in0); node 3 = avg_pool(node 2) + dil_conv_5x5(in0), both cells.
  const spaces::Arch arch = space->parse("1 3 0 2 2 1 0 6  1 3 0 2 2 1 0 6");
  // Edges per cell: node 0 <- in0 (0), in1 (1); node 1 <- in0 (2), in1 (3), node 2 (4).
  torch::Tensor weights = torch::zeros({5, 8});
  weights[1][4] = 1;  // sep_conv_3x3 from in1
  weights[0][3] = 1;  // skip_connect from in0
  weights[4][2] = 1;  // avg_pool from node 2
  weights[2][7] = 1;  // dil_conv_5x5 from in0
  network->eval();
  BatchStatisticsScope batch_statistics;
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({4, 1, 8, 8});
  const torch::Tensor mixed = network->forward_mixed(x, {weights, weights}).logits;
  const torch::Tensor discrete = network->forward(x, space->decode(arch)).logits;
  EXPECT_LT((mixed - discrete).abs().max().item<double>(), 1e-5);
  // Other weights give another function.
  const torch::Tensor uniform = torch::full({5, 8}, 1.0 / 8);
  EXPECT_GT((network->forward_mixed(x, {uniform, uniform}).logits - discrete).abs().max().item<double>(), 1e-4);
}

TEST(Supernet, GradientsReachEveryArchitectureWeightButNotTheConstantOnes) {
  SmallSupernet s(1);
  const auto& [space, store, network] = s.parts();
  const torch::Tensor alpha = (1e-3 * torch::randn({5, 8})).requires_grad_();
  const torch::Tensor loss = classification_loss(
      network->forward_mixed(torch::randn({4, 1, 8, 8}), {torch::softmax(alpha, -1), torch::softmax(alpha, -1)}).logits,
      torch::tensor({0, 1, 2, 0}));
  const torch::Tensor grad = torch::autograd::grad({loss}, {alpha})[0];
  // Every entry, 'none' included (through the softmax), has a gradient.
  EXPECT_GT(grad.abs().min().item<double>(), 0.0);
  // The weight step holds the mixing weights constant: only the store's weights learn.
  StepResult step = mixed_train_step(*network, *make_sgd(store->parameters(), SgdOptions()), torch::randn({4, 1, 8, 8}),
                                     torch::tensor({0, 1, 2, 0}),
                                     {torch::softmax(alpha, -1), torch::softmax(alpha, -1)}, StepOptions());
  EXPECT_TRUE(std::isfinite(step.loss));
  EXPECT_FALSE(alpha.grad().defined());
}

TEST(Supernet, RefusesSpacesWithoutARelaxationAndMisshapenWeights) {
  EXPECT_TRUE(has_supernet(*spaces::make_space("darts")));
  EXPECT_FALSE(has_supernet(*spaces::make_space("enas_micro")));
  EXPECT_FALSE(has_supernet(*spaces::make_space("pnas")));
  EXPECT_THROW(make_supernet_store(spaces::make_space("enas_micro"), testing::small_network(), kPrimitives),
               std::invalid_argument);
  EXPECT_THROW(make_supernet_store(spaces::make_space("darts"), testing::small_network(), {"none", "skip_connect"}),
               std::invalid_argument);
  const auto space = spaces::make_space("darts(nodes=2)");
  ParameterStore store = make_supernet_store(space, testing::small_network(), kPrimitives);
  ChildNetwork network = make_supernet(space, testing::small_network(), kPrimitives, store);
  EXPECT_THROW(network->forward_mixed(torch::randn({2, 1, 8, 8}), {torch::ones({14, 8}), torch::ones({14, 8})}),
               std::invalid_argument);
}

}  // namespace
}  // namespace childnets
