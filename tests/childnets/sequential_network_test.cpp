#include "childnets/sequential_network.h"

#include <gtest/gtest.h>

#include "childnets/child_network.h"
#include "spaces/hyper_space.h"
#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace childnets {
namespace {

struct Built {
  spaces::SpacePtr space;
  spaces::Arch arch;
  ChildNetwork network{nullptr};
};

Built build(const std::string& spec, const std::string& assignment, const NetworkOptions& options) {
  Built b;
  b.space = spaces::make_space(spec);
  b.arch = b.space->parse(assignment);
  b.network = ChildNetwork(ChildNetworkImpl::standalone(b.space, options, b.arch));
  return b;
}

std::int64_t count(const ChildNetwork& network) {
  std::int64_t n = 0;
  for (const auto& p : network->parameters()) n += p.numel();
  return n;
}

TEST(SequentialNetwork, CnnParametersFollowFromItsLayers) {
  // 2 blocks of 2 convs 3x3 at 8 filters (BN on), then two dense of 16.
  const NetworkOptions options = NetworkOptions().input_channels(1).image_size(7).num_classes(3);
  Built b = build("hyper_cnn(blocks=[2,3],filters=[8,16],fc_units=[16,32])",
                  "{use_bn=true pooling=avg filters=8 kernel_size=3 fc_units=16 bn_act_order=0-1 blocks=2}", options);
  const std::int64_t conv1 = 1 * 8 * 9 + 8, conv = 8 * 8 * 9 + 8, bn = 2 * 8;
  const std::int64_t side = 2;  // 7 -> 4 -> 2 under same-padded pools
  const std::int64_t flat = 8 * side * side;
  const std::int64_t dense = flat * 16 + 16 + 16 * 16 + 16, classifier = 16 * 3 + 3;
  EXPECT_EQ(count(b.network), conv1 + 3 * conv + 4 * bn + dense + classifier);
  b.network->eval();
  const auto out = b.network->forward(torch::randn({5, 1, 7, 7}));
  EXPECT_EQ(out.logits.sizes(), (std::vector<std::int64_t>{5, 3}));
}

TEST(SequentialNetwork, DnnRunsOnFeaturesAndCountsMultiplyAccumulates) {
  // Tabular data: 6 features as [batch, 6, 1, 1].
  const NetworkOptions options = NetworkOptions().input_channels(6).image_size(1).num_classes(2);
  Built b = build("hyper_dnn(units=[10,20])",
                  "{units=10 reduce_factor=0.5 use_bn=true activation=relu dropout=0.2 order=0-1-2 layers=2}", options);
  EXPECT_EQ(count(b.network), (6 * 10 + 10) + 2 * 10 + (10 * 5 + 5) + 2 * 5 + (5 * 2 + 2));
  const NetworkCost cost = measure_network(b.space, options, b.arch);
  EXPECT_EQ(cost.macs_per_image, 6 * 10 + 10 * 5 + 5 * 2);
  b.network->train();
  const auto out = b.network->forward(torch::randn({4, 6, 1, 1}));
  EXPECT_EQ(out.logits.sizes(), (std::vector<std::int64_t>{4, 2}));
  out.logits.sum().backward();
  for (const auto& p : b.network->parameters()) {
    if (p.requires_grad()) {
      EXPECT_TRUE(p.grad().defined());
    }
  }
}

TEST(SequentialNetwork, SamePaddedPoolsReduceOverWhatTheWindowCovers) {
  // One 1x1 conv with weight 1 and bias 0 passes the input; a 2x2 average
  // pool of a 3x3 map gives 2x2, the border windows averaging what they cover.
  spaces::HyperSpaceDefinition d;
  const int pool = d.add(spaces::choice_parameter("pool", std::vector<std::string>{"max", "avg"}));
  const spaces::HyperAttribute size = spaces::constant_attribute("size", {2.0, "2"});
  d.root = spaces::sequential_module(
      {spaces::layer_module("conv2d", {spaces::constant_attribute("filters", {1.0, "1"}),
                                       spaces::constant_attribute("kernel", {1.0, "1"})}),
       d.choice(pool, {spaces::layer_module("max_pool", {size}), spaces::layer_module("avg_pool", {size})})});
  auto space = std::make_shared<const spaces::HyperSpace>("test", spaces::Params(), std::move(d));
  const NetworkOptions options = NetworkOptions().input_channels(1).image_size(3).num_classes(1);
  for (int which : {0, 1}) {
    const spaces::Arch arch = space->make_arch({which});
    SequentialNetwork family(space, options);
    ParameterStore store;
    const spaces::ArchGraph graph = space->decode(arch);
    family.declare(*store, &graph);
    {
      torch::NoGradGuard no_grad;
      store->get<torch::nn::Conv2dImpl>("l0").weight.fill_(1.0);
      auto& classifier = store->get<torch::nn::LinearImpl>("classifier");
      classifier.weight.fill_(0.0);
      classifier.weight[0][3] = 1.0;  // reads the bottom-right output
    }
    const torch::Tensor x = torch::arange(9, torch::kFloat).reshape({1, 1, 3, 3});
    const float corner = family.forward(*store, x, graph, 0.0).logits.item<float>();
    EXPECT_FLOAT_EQ(corner, 8.0f) << (which == 0 ? "max" : "avg") << " over the one pixel the window covers";
  }
}

TEST(SequentialNetwork, RefusesImageLayersAfterFlattenAndAStoreForEveryArchitecture) {
  spaces::HyperSpaceDefinition d;
  const int filters = d.add(spaces::int_parameter("filters", 1, 2));
  d.root =
      spaces::sequential_module({spaces::layer_module("flatten"),
                                 spaces::layer_module("conv2d", {spaces::parameter_attribute("filters", filters),
                                                                 spaces::constant_attribute("kernel", {3.0, "3"})})});
  auto space = std::make_shared<const spaces::HyperSpace>("test", spaces::Params(), std::move(d));
  const NetworkOptions options = NetworkOptions().input_channels(1).image_size(4).num_classes(2);
  SequentialNetwork family(space, options);
  ParameterStore store;
  const spaces::ArchGraph graph = space->decode(space->make_arch({0}));
  EXPECT_THROW(family.declare(*store, &graph), spaces::ArchError);
  EXPECT_THROW(family.declare(*store, nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace childnets
