#include "childnets/depthwise_conv.h"

#include <gtest/gtest.h>

namespace childnets {
namespace {

TEST(DepthwiseConv, GradientsMatchLibtorchForEveryKernelAndDilation) {
  torch::manual_seed(0);
  for (std::int64_t channels : {3, 13, 20}) {  // 13 = 8 + 4 + 1 lanes
    for (std::int64_t kernel : {3, 5, 7}) {
      for (std::int64_t dilation : {1, 2}) {
        SCOPED_TRACE("C=" + std::to_string(channels) + " k=" + std::to_string(kernel) +
                     " d=" + std::to_string(dilation));
        const std::int64_t pad = dilation * (kernel - 1) / 2;
        const torch::Tensor input = torch::randn({3, channels, 9, 8}).contiguous(at::MemoryFormat::ChannelsLast);
        const torch::Tensor w = torch::randn({channels, 1, kernel, kernel});
        torch::Tensor x1 = input.clone().requires_grad_(), w1 = w.clone().requires_grad_();
        torch::Tensor x2 = input.clone().requires_grad_(), w2 = w.clone().requires_grad_();
        const torch::Tensor y1 = depthwise_conv2d(x1, w1, 1, pad, dilation);
        const torch::Tensor y2 = torch::conv2d(x2, w2, {}, 1, pad, dilation, channels);
        const torch::Tensor upstream = torch::randn_like(y2);
        (y1 * upstream).sum().backward();
        (y2 * upstream).sum().backward();
        EXPECT_TRUE(torch::allclose(y1, y2, 1e-4, 1e-4));
        EXPECT_TRUE(torch::allclose(x1.grad(), x2.grad(), 1e-4, 1e-4)) << (x1.grad() - x2.grad()).abs().max();
        EXPECT_TRUE(torch::allclose(w1.grad(), w2.grad(), 1e-3, 1e-3)) << (w1.grad() - w2.grad()).abs().max();
        EXPECT_TRUE(x1.grad().is_contiguous(at::MemoryFormat::ChannelsLast));
      }
    }
  }
}

TEST(DepthwiseConv, AppliesOnlyToChannelsLastFloatAtStrideOne) {
  const torch::Tensor x = torch::randn({2, 4, 5, 5});
  EXPECT_FALSE(depthwise_kernel_applies(x, 1));  // NCHW
  EXPECT_TRUE(depthwise_kernel_applies(x.contiguous(at::MemoryFormat::ChannelsLast), 1));
  EXPECT_FALSE(depthwise_kernel_applies(x.contiguous(at::MemoryFormat::ChannelsLast), 2));
  EXPECT_THROW(depthwise_conv2d(x, torch::randn({4, 1, 3, 3}), 1, 1, 1), c10::Error);
}

}  // namespace
}  // namespace childnets
