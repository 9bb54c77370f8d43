#include "childnets/ops.h"

#include <gtest/gtest.h>

namespace childnets {
namespace {

const std::vector<std::string> kAllOps = {
    "sep_conv_3x3", "sep_conv_5x5", "sep_conv_7x7", "dil_conv_3x3", "dil_conv_5x5", "conv_3x3",
    "conv_5x5",     "conv_1x7_7x1", "conv_1x3_3x1", "conv_1x1",     "avg_pool_3x3", "max_pool_3x3",
    "avg_pool_2x2", "max_pool_5x5", "identity",     "skip_connect", "none",         "min_pool_2x2",
    "dil_sep_conv_3x3", "dil_sep_conv_7x7"};

TEST(Ops, EveryOpKeepsTheShapeAtStrideOneAndHalvesItAtStrideTwo) {
  const torch::Tensor x = torch::randn({2, 6, 9, 9}).contiguous(at::MemoryFormat::ChannelsLast);
  for (const auto& name : kAllOps) {
    for (std::int64_t stride : {1, 2}) {
      auto op = make_cell_op(name, 6, stride);
      const torch::Tensor y = op->forward(x);
      const std::int64_t expected = stride == 1 ? 9 : 5;
      EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{2, 6, expected, expected})) << name << " stride " << stride;
    }
  }
}

TEST(Ops, ReluFirstOpsAgreeWithTheirActivatedForm) {
  torch::manual_seed(1);
  const torch::Tensor x = torch::randn({2, 4, 8, 8}).contiguous(at::MemoryFormat::ChannelsLast);
  for (const auto& name : {"sep_conv_3x3", "dil_conv_3x3", "conv_3x3", "conv_1x7_7x1"}) {
    auto op = make_cell_op(name, 4, 1);
    op->eval();
    ASSERT_TRUE(op->starts_with_relu()) << name;
    EXPECT_TRUE(torch::allclose(op->forward(x), op->forward_activated(torch::relu(x)))) << name;
  }
  EXPECT_FALSE(make_cell_op("max_pool_3x3", 4, 1)->starts_with_relu());
}

TEST(Ops, OpsWithoutWeightsAreKnownAsSuch) {
  EXPECT_FALSE(op_has_weights("avg_pool_3x3", 2));
  EXPECT_FALSE(op_has_weights("identity", 1));
  EXPECT_TRUE(op_has_weights("identity", 2));  // becomes a factorized reduction
  EXPECT_TRUE(op_has_weights("sep_conv_3x3", 1));
  EXPECT_EQ(make_cell_op("max_pool_3x3", 4, 1)->parameters().size(), 0u);
}

TEST(Ops, UnknownOpIsNamed) {
  try {
    make_cell_op("conv_9x7", 4, 1);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("conv_9x7"), std::string::npos);
  }
}

TEST(Ops, SeparableConvolutionHasTheHandCountedParameters) {
  // per repeat: depthwise C*k*k + pointwise C*C + BN 2C
  auto op = make_cell_op("sep_conv_5x5", 8, 1);
  std::int64_t count = 0;
  for (const auto& p : op->parameters()) count += p.numel();
  EXPECT_EQ(count, 2 * (8 * 25 + 8 * 8 + 2 * 8));
}

// NAO_V1's dil_sep_conv is its sep_conv dilated by 2: two (depthwise,
// pointwise, BN) repeats, where DARTS's dil_conv has one.
TEST(Ops, NaoDilatedSeparableConvolutionRepeatsTwiceWhereDartsRepeatsOnce) {
  auto count = [](const std::string& name) {
    std::int64_t total = 0;
    for (const auto& p : make_cell_op(name, 8, 1)->parameters()) total += p.numel();
    return total;
  };
  EXPECT_EQ(count("dil_sep_conv_3x3"), 2 * (8 * 9 + 8 * 8 + 2 * 8));
  EXPECT_EQ(count("dil_conv_3x3"), 8 * 9 + 8 * 8 + 2 * 8);
}

// NAO_V1's min_pool: -max_pool(-x), the size kept as for its max pool.
TEST(Ops, MinPoolIsTheNegatedMaxPoolOfTheNegatedInput) {
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({2, 3, 7, 7});
  for (const std::int64_t stride : {1, 2}) {
    const torch::Tensor min = make_cell_op("min_pool_2x2", 3, stride)->forward(x);
    const torch::Tensor max_of_negated = make_cell_op("max_pool_2x2", 3, stride)->forward(-x);
    EXPECT_TRUE(torch::equal(min, -max_of_negated)) << "stride " << stride;
  }
  // Away from the zero padding, each output is the least of its 2x2 window.
  const torch::Tensor min = make_cell_op("min_pool_2x2", 3, 1)->forward(x);
  EXPECT_EQ(min[0][1][3][3].item<float>(), x[0][1].slice(0, 3, 5).slice(1, 3, 5).min().item<float>());
  EXPECT_FALSE(op_has_weights("min_pool_2x2", 2));
}

TEST(Ops, MacCounterCountsConvolutionMultiplyAccumulates) {
  ReluConvBn conv(ReluConvBnOptions(3, 5, 3));
  conv->eval();
  MacCounter counter;
  conv->forward(torch::randn({1, 3, 6, 6}));
  EXPECT_EQ(counter.macs(), 5 * 6 * 6 * 3 * 9);
  MacCounter::add(1);  // only the innermost active counter counts
  EXPECT_EQ(counter.macs(), 5 * 6 * 6 * 3 * 9 + 1);
}

TEST(Ops, DropPathZeroesWholeSamplesAndKeepsTheMean) {
  torch::manual_seed(3);
  const torch::Tensor x = torch::ones({4000, 1, 2, 2});
  const torch::Tensor y = drop_path(x, 0.25);
  const torch::Tensor per_sample = y.flatten(1);
  EXPECT_TRUE(torch::all((per_sample == 0).all(1) | (per_sample.sub(1.0 / 0.75).abs() < 1e-5).all(1)).item<bool>());
  EXPECT_NEAR(y.mean().item<double>(), 1.0, 0.05);
  EXPECT_TRUE(torch::equal(drop_path(x, 0.0), x));
}

TEST(Ops, FactorizedReduceHandlesOddSizes) {
  FactorizedReduce reduce(FactorizedReduceOptions(3, 6));
  EXPECT_EQ(reduce->forward(torch::randn({2, 3, 7, 7})).sizes(), (std::vector<std::int64_t>{2, 6, 4, 4}));
  EXPECT_THROW(FactorizedReduce(FactorizedReduceOptions(3, 5)), std::invalid_argument);
}

// The odd path against its definition: a 1x1 stride-2 convolution over x
// shifted by one pixel, zero-padded at the bottom and right at an odd size.
TEST(Ops, FactorizedReduceOddPathIsTheShiftedStrideTwoConvolution) {
  namespace F = torch::nn::functional;
  using torch::indexing::Slice;
  torch::manual_seed(3);
  for (std::int64_t size : {6, 7}) {
    FactorizedReduce reduce(FactorizedReduceOptions(4, 6));
    reduce->eval();
    const torch::Tensor x = torch::randn({2, 4, size, size}).contiguous(at::MemoryFormat::ChannelsLast);
    const torch::Tensor r = torch::relu(x);
    const torch::Tensor shifted = F::pad(r.index({Slice(), Slice(), Slice(1), Slice(1)}),
                                         F::PadFuncOptions({0, size % 2, 0, size % 2}));
    const torch::Tensor even = F::conv2d(r, reduce->even->weight, F::Conv2dFuncOptions().stride(2));
    const torch::Tensor odd = F::conv2d(shifted, reduce->odd->weight, F::Conv2dFuncOptions().stride(2));
    const torch::Tensor expected = reduce->bn->forward(torch::cat({even, odd}, 1));
    EXPECT_TRUE(torch::allclose(reduce->forward(x), expected, 1e-5, 1e-6)) << "size " << size;
  }
}

// A tensor or gradient that leaves an op in NCHW slows every op after it
// against the channels-last activations; the reduction keeps the layout.
TEST(Ops, FactorizedReduceOutputAndInputGradientStayChannelsLast) {
  FactorizedReduce reduce(FactorizedReduceOptions(4, 6));
  const torch::Tensor x =
      torch::randn({2, 4, 7, 7}).contiguous(at::MemoryFormat::ChannelsLast).requires_grad_();
  const torch::Tensor y = reduce->forward(x);
  EXPECT_TRUE(y.is_contiguous(at::MemoryFormat::ChannelsLast));
  (y * torch::randn(y.sizes())).sum().backward();
  EXPECT_TRUE(x.grad().is_contiguous(at::MemoryFormat::ChannelsLast));
  // Gradient reaches exactly the pixels the two paths read, where ReLU passes:
  // even row and even column, or odd row and odd column.
  const torch::Tensor rows = torch::arange(7).view({1, 1, 7, 1}), cols = torch::arange(7).view({1, 1, 1, 7});
  const torch::Tensor read = (rows % 2 == cols % 2).expand_as(x);
  EXPECT_TRUE(torch::equal(x.grad().ne(0), read & x.gt(0)));
}

}  // namespace
}  // namespace childnets

namespace childnets {
namespace {

TEST(Ops, InferenceFoldsBatchNormIntoTheConvolutionWithoutChangingTheResult) {
  torch::manual_seed(5);
  const torch::Tensor x = torch::randn({3, 6, 7, 7}).contiguous(at::MemoryFormat::ChannelsLast);
  for (const auto& name : {"sep_conv_3x3", "dil_conv_5x5", "conv_3x3", "conv_1x7_7x1"}) {
    auto op = make_cell_op(name, 6, 1);
    for (int i = 0; i < 3; ++i) op->forward(torch::randn({3, 6, 7, 7}) * 2 + 1);  // move the running statistics
    op->eval();
    const torch::Tensor plain = op->forward(x).detach();  // grad mode on: no folding
    torch::InferenceMode inference;
    MacCounter counter;
    const torch::Tensor folded = op->forward(x);
    EXPECT_TRUE(torch::allclose(plain, folded, 1e-4, 1e-5))
        << name << ": " << (plain - folded).abs().max().item<float>();
    EXPECT_GT(counter.macs(), 0) << name;
  }
}

}  // namespace
}  // namespace childnets
