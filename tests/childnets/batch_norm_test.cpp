#include "childnets/batch_norm.h"

#include <gtest/gtest.h>

namespace childnets {
namespace {

struct Result {
  torch::Tensor y, dx, dweight, dbias, running_mean, running_var;
};

Result run(bool ours, bool training, bool relu, const torch::Tensor& input, const torch::Tensor& upstream) {
  torch::Tensor x = input.detach().clone().contiguous(at::MemoryFormat::ChannelsLast).requires_grad_();
  torch::Tensor weight = torch::linspace(0.5, 1.5, input.size(1)).requires_grad_();
  torch::Tensor bias = torch::linspace(-0.2, 0.3, input.size(1)).requires_grad_();
  torch::Tensor mean = torch::full({input.size(1)}, 0.1), var = torch::full({input.size(1)}, 2.0);
  torch::Tensor y = ours ? channels_last_batch_norm(x, weight, bias, mean, var, training, 0.1, 1e-5, relu)
                         : torch::batch_norm(x, weight, bias, mean, var, training, 0.1, 1e-5, false);
  if (!ours && relu) y = torch::relu(y);
  (y * upstream).sum().backward();
  return {y.detach(), x.grad(), weight.grad(), bias.grad(), mean, var};
}

void expect_close(const torch::Tensor& a, const torch::Tensor& b, const char* what) {
  EXPECT_TRUE(torch::allclose(a, b, 1e-4, 1e-4)) << what << ": max difference " << (a - b).abs().max().item<float>();
}

TEST(BatchNorm, ChannelsLastKernelMatchesLibtorchInEveryMode) {
  torch::manual_seed(0);
  const torch::Tensor x = torch::randn({6, 20, 5, 7}) * 3 + 2;
  const torch::Tensor upstream = torch::randn({6, 20, 5, 7});
  for (bool training : {true, false}) {
    for (bool relu : {false, true}) {
      SCOPED_TRACE(std::string(training ? "training" : "eval") + (relu ? " +relu" : ""));
      const Result ours = run(true, training, relu, x, upstream);
      const Result reference = run(false, training, relu, x, upstream);
      expect_close(ours.y, reference.y, "output");
      expect_close(ours.dx, reference.dx, "input gradient");
      expect_close(ours.dweight, reference.dweight, "weight gradient");
      expect_close(ours.dbias, reference.dbias, "bias gradient");
      expect_close(ours.running_mean, reference.running_mean, "running mean");
      expect_close(ours.running_var, reference.running_var, "running variance");
    }
  }
}

TEST(BatchNorm, ModuleUsesTheKernelForChannelsLastAndLibtorchOtherwise) {
  torch::manual_seed(1);
  BatchNorm ours(BatchNormOptions(4).relu(true));
  torch::nn::BatchNorm2d reference(4);
  const torch::Tensor x = torch::randn({3, 4, 6, 6});
  const torch::Tensor expected = torch::relu(reference(x));
  EXPECT_TRUE(torch::allclose(ours(x), expected, 1e-5, 1e-5));
  EXPECT_TRUE(
      torch::allclose(ours(x.contiguous(at::MemoryFormat::ChannelsLast)), torch::relu(reference(x)), 1e-5, 1e-5));
  EXPECT_EQ(ours->num_batches_tracked.item<std::int64_t>(), 2);
}

TEST(BatchNorm, StateDictNamesMatchLibtorch) {
  BatchNorm ours(BatchNormOptions(4));
  torch::nn::BatchNorm2d reference(4);
  std::vector<std::string> a, b;
  for (const auto& p : ours->named_parameters()) a.push_back(p.key());
  for (const auto& p : ours->named_buffers()) a.push_back(p.key());
  for (const auto& p : reference->named_parameters()) b.push_back(p.key());
  for (const auto& p : reference->named_buffers()) b.push_back(p.key());
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace childnets

namespace childnets {
namespace {

TEST(BatchNorm, BatchStatisticsScopeNormalisesWithTheBatchAndKeepsRunningStatistics) {
  torch::manual_seed(3);
  for (bool channels_last : {true, false}) {
    BatchNorm bn(BatchNormOptions(5));
    bn->eval();
    torch::Tensor x = torch::randn({8, 5, 4, 4}) * 3 + 7;
    if (channels_last) x = x.contiguous(at::MemoryFormat::ChannelsLast);
    const torch::Tensor running_mean = bn->running_mean.clone();
    torch::Tensor y;
    {
      BatchStatisticsScope scope;
      y = bn->forward(x);
    }
    EXPECT_NEAR(y.mean().item<double>(), 0.0, 1e-4);
    EXPECT_NEAR(y.var(false).item<double>(), 1.0, 1e-3);
    EXPECT_TRUE(torch::equal(bn->running_mean, running_mean));
    EXPECT_FALSE(BatchStatisticsScope::active());
    EXPECT_GT(bn->forward(x).mean().item<double>(), 5.0);  // outside the scope: running statistics again
  }
}

}  // namespace
}  // namespace childnets
