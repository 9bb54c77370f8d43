#include "childnets/child_network.h"

#include <gtest/gtest.h>

#include "childnets/training.h"
#include "spaces/registry.h"
#include "tests/childnets/small_network.h"

namespace childnets {
namespace {

const std::vector<std::string> kSpaces = {
    "enas_micro",     "enas_macro(layers=6)",
    "nao(ops=nao16)", "nao(ops=epd)",
    "pnas",           "darts",
    "genet",          "spos(stage_repeats=[1,2],stage_channels=[8,16],stem_channels=4,channel_search=true)"};

TEST(ChildNetwork, OutputShapeIsRightForRandomArchitecturesOfEverySpace) {
  torch::manual_seed(0);
  for (const auto& spec : kSpaces) {
    const auto space = spaces::make_space(spec);
    for (bool factorized : {false, true}) {
      const NetworkOptions options = testing::small_network().factorized_reductions(factorized).auxiliary(true);
      ChildNetwork network(space, options, make_shared_store(space, options));
      spaces::Rng rng(7);
      for (int i = 0; i < 3; ++i) {
        const ChildOutput out = network->forward(torch::randn({2, 1, 8, 8}), space->decode(space->random(rng)));
        EXPECT_EQ(out.logits.sizes(), (std::vector<std::int64_t>{2, 3})) << spec;
        EXPECT_TRUE(torch::isfinite(out.logits).all().item<bool>()) << spec;
      }
    }
  }
}

TEST(ChildNetwork, GradientsReachOnlyTheSampledPath) {
  const auto space = spaces::make_space("enas_micro(nodes=2)");
  ParameterStore store = make_shared_store(space, testing::small_network());
  ChildNetwork network(space, testing::small_network(), store);
  // node 2 = sep_conv_3x3(in0) + sep_conv_5x5(in1); node 3 = max_pool(node 2) + sep_conv_3x3(in0)
  const auto graph = space->decode(space->parse("0 0 1 1 2 3 0 0  0 0 1 1 2 3 0 0"));
  zero_grad_set_to_none(*store);
  torch::nn::functional::cross_entropy(network->forward(torch::randn({4, 1, 8, 8}), graph).logits,
                                       torch::tensor({0, 1, 2, 0}))
      .backward();
  std::set<std::string> touched;
  for (const auto& item : store->named_parameters()) {
    if (item.value().grad().defined() && item.value().grad().abs().sum().item<double>() > 0) {
      touched.insert(item.key().substr(0, item.key().find('.')));
    }
  }
  std::set<std::string> first_cell;
  for (const auto& key : touched) {
    if (key.rfind("c0-", 0) == 0) first_cell.insert(key);
  }
  // Exactly the path: the calibrations, the three weighted edges, the
  // projection slice of the one loose end (node 3) and its BN.
  const std::set<std::string> expected = {
      "c0-pre0",    "c0-pre1",   "c0-n2-s0-i0-sep_conv_3x3", "c0-n2-s1-i1-sep_conv_5x5", "c0-n3-s1-i0-sep_conv_3x3",
      "c0-proj-v3", "c0-proj_bn"};
  EXPECT_EQ(first_cell, expected);
  EXPECT_TRUE(touched.count("stem"));
  EXPECT_TRUE(touched.count("classifier"));
}

// The largest logit difference, on a random batch in eval mode, between
// `shared` running `arch` (of `space`) and arch's standalone network holding
// the store's weights.
float standalone_difference(ChildNetwork& shared, ParameterStoreImpl& store, const spaces::SpacePtr& space,
                            const NetworkOptions& options, const spaces::Arch& arch, std::int64_t batch) {
  auto standalone = ChildNetworkImpl::standalone(space, options, arch);
  standalone->store()->copy_matching_from(store);
  shared->eval();
  standalone->eval();
  const torch::Tensor x = torch::randn({batch, 1, 8, 8});
  return (shared->forward(x, space->decode(arch)).logits - standalone->forward(x).logits).abs().max().item<float>();
}

TEST(ChildNetwork, SharedAndStandaloneComputeTheSameFunction) {
  torch::manual_seed(2);
  for (const auto& spec : kSpaces) {
    const auto space = spaces::make_space(spec);
    const NetworkOptions options = testing::small_network();
    ParameterStore store = make_shared_store(space, options);
    ChildNetwork shared(space, options, store);
    spaces::Rng rng(11);
    const spaces::Arch arch = space->random(rng);
    EXPECT_LT(ChildNetworkImpl::standalone(space, options, arch)->store()->num_parameters(), store->num_parameters())
        << spec;
    EXPECT_LT(standalone_difference(shared, *store, space, options, arch, 3), 1e-5) << spec;
  }
}

TEST(ChildNetwork, ParameterCountMatchesAHandCount) {
  const auto space = spaces::make_space("enas_micro(nodes=1)");
  // N R N R N, C = 4, 8, 8, 16, 16; stem 1 -> 12. Normal: node 2 = sep_conv_3x3(in0) + identity(in1);
  // reduction: node 2 = max_pool(in0) + identity(in1) at stride 2.
  const spaces::Arch arch = space->parse("0 0 1 4  0 3 1 4");
  const NetworkOptions options = testing::small_network();
  auto bn = [](std::int64_t c) { return 2 * c; };
  auto relu_conv_bn = [&](std::int64_t in, std::int64_t out) { return in * out + bn(out); };
  auto reduce = [&](std::int64_t in, std::int64_t out) { return 2 * in * (out / 2) + bn(out); };
  auto sep3 = [&](std::int64_t c) { return 2 * (c * 9 + c * c + bn(c)); };
  auto projection = [&](std::int64_t c, std::int64_t parts) { return parts * c * c + bn(c); };
  std::int64_t expected = 1 * 12 * 9 + bn(12);                                             // stem
  expected += relu_conv_bn(12, 4) * 2 + sep3(4) + projection(4, 1);                        // c0: only node 2 is loose
  expected += relu_conv_bn(12, 8) + relu_conv_bn(4, 8) + reduce(8, 8) + projection(8, 1);  // c1: identity stride 2
  expected += reduce(4, 8) + sep3(8) + projection(8, 1);                                   // c2: in0 from c0 at 2x
  expected += relu_conv_bn(8, 16) * 2 + reduce(16, 16) + projection(16, 1);                // c3
  expected += reduce(8, 16) + sep3(16) + projection(16, 1);                                // c4
  expected += 16 * 3 + 3;                                                                  // classifier
  EXPECT_EQ(measure_network(space, options, arch).parameters, expected);
}

TEST(ChildNetwork, CostCountsTheAuxiliaryHeadSeparately) {
  const auto space = spaces::make_space("darts");
  spaces::Rng rng(1);
  const spaces::Arch arch = space->random(rng);
  const NetworkCost plain = measure_network(space, testing::small_network(), arch);
  const NetworkCost with_aux = measure_network(space, testing::small_network().auxiliary(true), arch);
  EXPECT_EQ(plain.parameters, plain.parameters_with_aux);
  EXPECT_EQ(with_aux.parameters, plain.parameters);
  // ReLU-pool-conv1x1(C->128)-BN-ReLU-conv2x2(128->768)-BN-ReLU-linear(768->3); the head reads the
  // second reduction cell's concat: 16 channels * 4 nodes
  EXPECT_EQ(with_aux.parameters_with_aux - with_aux.parameters, 64 * 128 + 256 + 128 * 768 * 4 + 2 * 768 + 768 * 3 + 3);
  EXPECT_GT(plain.macs_per_image, 0);
}

// PNAS evaluates b-block cells on the B-block store: the same function as
// the b-block cell's own network given the same weights.
TEST(ChildNetwork, ASmallerCellRunsOnTheStoreOfTheLargerSpace) {
  torch::manual_seed(3);
  const auto big = spaces::make_space("pnas(blocks=4)"), small = spaces::make_space("pnas(blocks=2)");
  const NetworkOptions options = testing::small_network();
  ParameterStore store = make_shared_store(big, options);
  ChildNetwork shared(big, options, store);
  spaces::Rng rng(5);
  const spaces::Arch cell = small->random(rng);
  EXPECT_LT(standalone_difference(shared, *store, small, options, cell, 2), 1e-5);
  const torch::Tensor x = torch::randn({2, 1, 8, 8});
  // A larger cell does not fit the store.
  ChildNetwork small_network(small, options, make_shared_store(small, options));
  EXPECT_THROW(small_network->forward(x, big->decode(big->random(rng))), std::invalid_argument);
}

TEST(ChildNetwork, RejectsAnArchitectureOfAnotherSpace) {
  const auto space = spaces::make_space("pnas");
  const auto other = spaces::make_space("darts");
  ChildNetwork network(space, testing::small_network(), make_shared_store(space, testing::small_network()));
  spaces::Rng rng(1);
  EXPECT_THROW(network->forward(torch::randn({1, 1, 8, 8}), other->decode(other->random(rng))), std::invalid_argument);
}

}  // namespace
}  // namespace childnets
