#include "childnets/pooling.h"

#include <gtest/gtest.h>

namespace childnets {
namespace {

namespace F = torch::nn::functional;

torch::Tensor libtorch_pool(const torch::Tensor& x, std::int64_t k, bool average) {
  if (average) return F::avg_pool2d(x, F::AvgPool2dFuncOptions(k).stride(1).padding(k / 2).count_include_pad(false));
  return F::max_pool2d(x, F::MaxPool2dFuncOptions(k).stride(1).padding(k / 2));
}

// Values and input gradients against libtorch, for inputs with distinct
// values and for ReLU outputs, whose zeros tie within a window.
TEST(SamePooling, ValuesAndGradientsEqualLibtorchIncludingTies) {
  torch::manual_seed(4);
  for (bool average : {false, true}) {
    for (std::int64_t channels : {3, 13, 20}) {
      for (std::int64_t k : {3, 5}) {
        for (bool relu : {false, true}) {
          SCOPED_TRACE(std::string(average ? "avg" : "max") + " C=" + std::to_string(channels) +
                       " k=" + std::to_string(k) + (relu ? " relu" : ""));
          torch::Tensor input = torch::randn({2, channels, 7, 6});
          if (relu) input = torch::relu(input);
          input = input.contiguous(at::MemoryFormat::ChannelsLast);
          torch::Tensor x1 = input.clone().requires_grad_(), x2 = input.clone().requires_grad_();
          const torch::Tensor y1 = average ? same_avg_pool2d(x1, k) : same_max_pool2d(x1, k);
          const torch::Tensor y2 = libtorch_pool(x2, k, average);
          const torch::Tensor upstream = torch::randn_like(y2);
          (y1 * upstream).sum().backward();
          (y2 * upstream).sum().backward();
          EXPECT_TRUE(torch::allclose(y1, y2, 1e-5, 1e-6)) << (y1 - y2).abs().max();
          EXPECT_TRUE(torch::allclose(x1.grad(), x2.grad(), 1e-5, 1e-6)) << (x1.grad() - x2.grad()).abs().max();
          EXPECT_TRUE(y1.is_contiguous(at::MemoryFormat::ChannelsLast));
          EXPECT_TRUE(x1.grad().is_contiguous(at::MemoryFormat::ChannelsLast));
        }
      }
    }
  }
}

TEST(SamePooling, InferenceModeGivesTheSameValues) {
  const torch::Tensor x = torch::randn({2, 8, 5, 5}).contiguous(at::MemoryFormat::ChannelsLast);
  const torch::Tensor with_grad = same_max_pool2d(x.clone().requires_grad_(), 3).detach();
  torch::InferenceMode inference;
  EXPECT_TRUE(torch::equal(same_max_pool2d(x, 3), with_grad));
  EXPECT_TRUE(torch::allclose(same_avg_pool2d(x, 3), libtorch_pool(x, 3, true)));
}

TEST(SamePooling, AppliesOnlyToOddKernelsAtStrideOneOnChannelsLastFloat) {
  const torch::Tensor x = torch::randn({1, 4, 6, 6});
  const torch::Tensor cl = x.contiguous(at::MemoryFormat::ChannelsLast);
  EXPECT_FALSE(same_pool_kernel_applies(x, 3, 1));
  EXPECT_TRUE(same_pool_kernel_applies(cl, 3, 1));
  EXPECT_FALSE(same_pool_kernel_applies(cl, 3, 2));
  EXPECT_FALSE(same_pool_kernel_applies(cl, 2, 1));
  EXPECT_THROW(same_max_pool2d(x, 3), c10::Error);
}

}  // namespace
}  // namespace childnets
