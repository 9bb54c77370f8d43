#include "childnets/spos_network.h"

#include <gtest/gtest.h>

#include "childnets/child_network.h"
#include "childnets/training.h"
#include "spaces/registry.h"
#include "tests/childnets/small_network.h"

namespace childnets {
namespace {

// Weights and multiply-accumulates of the layers SPOS's units are made
// of, with a batch norm of `c` channels beside each convolution (affine:
// 2c parameters, as in a network of one architecture).
struct Count {
  std::int64_t params = 0, macs = 0;
  // A convolution of `in` to `out` channels (depthwise: in == out, one
  // filter per channel) with its batch norm, producing `pixels` outputs per channel.
  void conv(std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t pixels, bool depthwise = false) {
    const std::int64_t per_output = (depthwise ? 1 : in) * k * k;
    params += out * per_output + 2 * out;
    macs += out * pixels * per_output;
  }
};

// spos with 2 stages of one layer (8 and 16 channels), stem 4, head 12,
// on 8x8 images: layer 0 a shuffle_3x3 unit at stride 2 (8x8 -> 4x4),
// layer 1 an xception unit at stride 2 (4x4 -> 2x2).
TEST(SposNetwork, ParametersAndMultiplyAccumulatesFollowTheUnits) {
  const auto space =
      spaces::make_space("spos(stage_repeats=[1,1],stage_channels=[8,16],stem_channels=4,head_channels=12)");
  const NetworkOptions options = testing::small_network();  // 1 channel in, 8x8, 3 classes
  Count expected;
  expected.conv(1, 4, 3, 64);  // stem, stride 1
  // shuffle_3x3, stride 2: the main branch takes all 4 channels and adds 8 - 4; mid = 8 / 2.
  expected.conv(4, 4, 1, 64);
  expected.conv(4, 4, 3, 16, true);
  expected.conv(4, 4, 1, 16);
  expected.conv(4, 4, 3, 16, true);  // projection: depthwise 3x3 stride 2, then 1x1
  expected.conv(4, 4, 1, 16);
  // xception, stride 2: 8 in, 16 - 8 from the main branch, mid = 16 / 2.
  expected.conv(8, 8, 3, 4, true);
  expected.conv(8, 8, 1, 4);
  expected.conv(8, 8, 3, 4, true);
  expected.conv(8, 8, 1, 4);
  expected.conv(8, 8, 3, 4, true);
  expected.conv(8, 8, 1, 4);
  expected.conv(8, 8, 3, 4, true);
  expected.conv(8, 8, 1, 4);
  expected.conv(16, 12, 1, 4);  // head 1x1
  expected.params += 12 * 3;    // linear, no bias
  expected.macs += 12 * 3;
  const NetworkCost cost = measure_network(space, options, space->parse("0 3"));
  EXPECT_EQ(cost.parameters, expected.params);
  EXPECT_EQ(cost.macs_per_image, expected.macs);
}

// Channel search: the supernet declares each unit at x1.6 and runs the
// first `mid` channels of it; a network built for the architecture alone,
// given those slices of the supernet's weights and statistics, computes
// the same function.
TEST(SposNetwork, ANarrowArchitectureRunsTheFirstChannelsOfTheWidestWeights) {
  torch::manual_seed(0);
  const auto space =
      spaces::make_space("spos(stage_repeats=[1,2],stage_channels=[8,16],stem_channels=4,channel_search=true)");
  const NetworkOptions options = testing::small_network();
  const ParameterStore store = make_shared_store(space, options);
  ChildNetwork supernet(space, options, store);
  const spaces::Arch arch = space->parse("1 3 0 2 6 0");  // widths x0.6, x1.4, x0.2
  const spaces::ArchGraph graph = space->decode(arch);
  // Give the running statistics something other than their initial values.
  const torch::Tensor x = torch::randn({6, 1, 8, 8});
  supernet->train();
  {
    torch::NoGradGuard no_grad;
    supernet->forward(x, graph);
  }
  auto alone = ChildNetworkImpl::standalone(space, options, arch);
  const auto wide = supernet->store()->named_parameters(true);
  const auto wide_buffers = supernet->store()->named_buffers(true);
  auto copy_slices = [](const torch::OrderedDict<std::string, torch::Tensor>& from, const std::string& name,
                        torch::Tensor& to) {
    torch::Tensor source = from[name];
    for (std::int64_t d = 0; d < to.dim(); ++d) source = source.narrow(d, 0, to.size(d));
    torch::NoGradGuard no_grad;
    to.copy_(source);
  };
  std::int64_t sliced = 0;
  for (auto& item : alone->store()->named_parameters(true)) {
    const std::string& name = item.key();
    if (wide.contains(name)) {
      sliced += wide[name].numel() != item.value().numel();
      copy_slices(wide, name, item.value());
    } else {
      ASSERT_TRUE(wide_buffers.contains(name)) << name;  // the supernet's BN has no affine parameters
      copy_slices(wide_buffers, name, item.value());
    }
  }
  for (auto& item : alone->store()->named_buffers(true)) copy_slices(wide_buffers, item.key(), item.value());
  EXPECT_GT(sliced, 0);
  supernet->eval();
  alone->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor expected = alone->forward(x).logits;
  EXPECT_TRUE(torch::allclose(supernet->forward(x, graph).logits, expected, 1e-4, 1e-5));
}

// SPOS's BN recalibration: the running statistics after it depend only on
// the architecture and the batches, not on what ran before.
TEST(SposNetwork, RecalibrationForgetsEarlierStatistics) {
  torch::manual_seed(0);
  const auto space = spaces::make_space("spos(stage_repeats=[1,1],stage_channels=[8,16],stem_channels=4)");
  const NetworkOptions options = testing::small_network();
  ChildNetwork network(space, options, make_shared_store(space, options));
  const spaces::ArchGraph graph = space->decode(space->parse("2 1"));
  const std::vector<torch::Tensor> batches = {torch::randn({4, 1, 8, 8}), torch::randn({4, 1, 8, 8})};
  auto recalibrated_statistics = [&] {
    std::size_t next = 0;
    recalibrate_batch_norm(
        *network, graph, [&] { return batches[next++ % batches.size()]; }, 2);
    std::vector<torch::Tensor> buffers;
    for (const auto& b : network->store()->buffers()) buffers.push_back(b.clone());
    return buffers;
  };
  network->eval();
  const std::vector<torch::Tensor> first = recalibrated_statistics();
  EXPECT_FALSE(network->is_training());  // its mode is restored
  network->train();
  {
    torch::NoGradGuard no_grad;
    network->forward(torch::randn({4, 1, 8, 8}) * 5 + 3, space->decode(space->parse("0 0")));  // other statistics
  }
  const std::vector<torch::Tensor> second = recalibrated_statistics();
  ASSERT_EQ(first.size(), second.size());
  bool moved = false;
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_TRUE(torch::equal(first[i], second[i])) << i;
    moved |= first[i].numel() > 1 && first[i].abs().sum().item<double>() > 0 &&
             !torch::equal(first[i], torch::ones_like(first[i]));
  }
  EXPECT_TRUE(moved);
}

// The recalibrated statistics are the plain mean of the batches' own, so
// one batch and the same batch twice give the same statistics, and the
// order of two batches does not matter (an exponential average from the
// reset values would give neither).
TEST(SposNetwork, RecalibrationAveragesTheBatchesEqually) {
  torch::manual_seed(0);
  const auto space = spaces::make_space("spos(stage_repeats=[1,1],stage_channels=[8,16],stem_channels=4)");
  const NetworkOptions options = testing::small_network();
  ChildNetwork network(space, options, make_shared_store(space, options));
  const spaces::ArchGraph graph = space->decode(space->parse("1 3"));
  const torch::Tensor a = torch::randn({4, 1, 8, 8}), b = torch::randn({4, 1, 8, 8}) * 2 + 1;
  auto statistics_after = [&](const std::vector<torch::Tensor>& batches) {
    std::size_t next = 0;
    recalibrate_batch_norm(
        *network, graph, [&] { return batches[next++]; }, std::int64_t(batches.size()));
    std::vector<torch::Tensor> buffers;
    for (const auto& item : network->store()->named_buffers()) {
      if (item.key().find("running_") != std::string::npos) buffers.push_back(item.value().clone());
    }
    return buffers;
  };
  auto same = [](const std::vector<torch::Tensor>& x, const std::vector<torch::Tensor>& y) {
    bool equal = x.size() == y.size();
    for (std::size_t i = 0; equal && i < x.size(); ++i) equal = torch::allclose(x[i], y[i], 1e-5, 1e-6);
    return equal;
  };
  EXPECT_TRUE(same(statistics_after({a}), statistics_after({a, a})));
  EXPECT_TRUE(same(statistics_after({a, b}), statistics_after({b, a})));
  EXPECT_FALSE(same(statistics_after({a}), statistics_after({b})));
}

}  // namespace
}  // namespace childnets
