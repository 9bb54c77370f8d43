#include "childnets/fbnet_network.h"

#include <gtest/gtest.h>

#include "childnets/child_network.h"
#include "childnets/supernet.h"
#include "spaces/registry.h"
#include "tests/childnets/small_network.h"

namespace childnets {
namespace {

// fbnet with 3 searched layers on 8x8 images: layer 0 4 -> 4 at stride 1
// (residual blocks, identity skip), layers 1-2 a stage of 8 channels
// opened at stride 2 (layer 1: no residual, skip is a 1x1 convolution).
spaces::SpacePtr small_fbnet() {
  return spaces::make_space(
      "fbnet(stage_channels=[4,8],stage_repeats=[1,2],stage_strides=[1,2],stem_channels=4,stem_stride=1,"
      "head_channels=6)");
}

// Parameters of a convolution of `in` to `out` channels in `groups` groups
// (depthwise: groups = in = out) with its affine batch norm.
std::int64_t conv_bn(std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t groups = 1) {
  return out * (in / groups) * k * k + 2 * out;
}

TEST(FbnetNetwork, ParametersFollowTheBlocksOfTheArchitecture) {
  const auto space = small_fbnet();
  const NetworkOptions options = testing::small_network();  // 1 channel in, 8x8, 3 classes
  // layer 0 k3_e1_g2 (4 -> 4, mid 4, 1x1s in 2 groups), layer 1 skip (a 1x1 4 -> 8 at stride 2),
  // layer 2 k5_e6 (8 -> 8, mid 48).
  const std::int64_t expected = conv_bn(1, 4, 3) + conv_bn(4, 4, 1, 2) + conv_bn(4, 4, 3, 4) + conv_bn(4, 4, 1, 2) +
                                conv_bn(4, 8, 1) + conv_bn(8, 48, 1) + conv_bn(48, 48, 5, 48) + conv_bn(48, 8, 1) +
                                conv_bn(8, 6, 1) + 6 * 3 + 3;
  EXPECT_EQ(measure_network(space, options, space->parse("1 8 7")).parameters, expected);
  // All-skip: the identity has no weights, only layer 1's projection.
  EXPECT_EQ(measure_network(space, options, space->parse("8 8 8")).parameters,
            conv_bn(1, 4, 3) + conv_bn(4, 8, 1) + conv_bn(8, 6, 1) + 6 * 3 + 3);
}

// The relaxed forward with one-hot weights is the discrete network of
// the chosen blocks, and the layer-by-layer chain computes the same.
TEST(FbnetNetwork, OneHotMixingWeightsRunTheChosenArchitecture) {
  torch::manual_seed(0);
  const auto space = small_fbnet();
  const NetworkOptions options = testing::small_network();
  const auto candidates = spaces::FbnetSpace::block_names();
  ChildNetwork supernet = make_supernet(space, options, candidates, make_supernet_store(space, options, candidates));
  supernet->eval();
  const spaces::Arch arch = space->parse("2 5 8");
  const torch::Tensor m = torch::zeros({3, 9});
  m[0][2] = 1;
  m[1][5] = 1;
  m[2][8] = 1;
  const torch::Tensor x = torch::randn({2, 1, 8, 8});
  torch::NoGradGuard no_grad;
  const torch::Tensor mixed = supernet->forward_mixed(x, {m}).logits;
  const torch::Tensor discrete = supernet->forward(x, space->decode(arch)).logits;
  EXPECT_EQ(mixed.sizes(), (std::vector<std::int64_t>{2, 3}));
  EXPECT_TRUE(torch::allclose(mixed, discrete, 1e-5, 1e-6)) << mixed << discrete;
  FbnetNetwork family(space, options);
  torch::Tensor h = family.stem(*supernet->store(), x);
  for (int l = 0; l < 3; ++l) h = family.layer(*supernet->store(), l, {arch.tokens[static_cast<std::size_t>(l)]}, h);
  EXPECT_TRUE(torch::allclose(family.head(*supernet->store(), h), discrete, 1e-5, 1e-6));
  EXPECT_THROW(family.layer(*supernet->store(), 0, {9}, x), std::invalid_argument);
}

// Every block's weight reaches the loss: the gradient of the logits with
// respect to m has an entry for each of the 27 (layer, block) pairs, and a
// mixture is not any single block.
TEST(FbnetNetwork, TheMixtureIsDifferentiableInEveryBlocksWeight) {
  torch::manual_seed(1);
  const auto space = small_fbnet();
  const NetworkOptions options = testing::small_network();
  const auto candidates = spaces::FbnetSpace::block_names();
  ChildNetwork supernet = make_supernet(space, options, candidates, make_supernet_store(space, options, candidates));
  const torch::Tensor m = torch::full({3, 9}, 1.0 / 9.0).requires_grad_(true);
  supernet->forward_mixed(torch::randn({4, 1, 8, 8}), {m}).logits.pow(2).sum().backward();
  EXPECT_GT(m.grad().abs().min().item<double>(), 0.0) << m.grad();
  EXPECT_THROW(supernet->forward_mixed(torch::randn({4, 1, 8, 8}), {torch::ones({3, 8})}), std::invalid_argument);
  EXPECT_THROW(supernet->forward_mixed(torch::randn({4, 1, 8, 8}), {m, m}), std::invalid_argument);
  EXPECT_THROW(make_supernet_store(space, options, {"k3_e1"}), std::invalid_argument);
  EXPECT_TRUE(has_supernet(*space));
}

}  // namespace
}  // namespace childnets
