#pragma once
// BatchNorm: 2-d batch normalisation with a kernel of its own for
// channels-last tensors. libtorch 1.13's CPU batch norm is several times
// slower on channels-last inputs with few channels (64x20x28x28: 5.5 ms
// forward, 8 ms backward, against ~1 ms here), and the networks run
// channels-last for the sake of the depthwise convolutions. Other inputs
// fall back to torch::batch_norm. Parameters and buffers carry the names of
// torch::nn::BatchNorm2d (weight, bias, running_mean, running_var,
// num_batches_tracked), so state dicts are interchangeable.

#include <torch/torch.h>

namespace childnets {

struct BatchNormOptions {
  explicit BatchNormOptions(std::int64_t channels) : channels_(channels) {}
  TORCH_ARG(std::int64_t, channels);
  TORCH_ARG(double, eps) = 1e-5;
  TORCH_ARG(double, momentum) = 0.1;  // running = (1 - momentum) * running + momentum * batch
  TORCH_ARG(bool, relu) = false;      // apply ReLU to the output, fused into the kernel
  // false: no learned scale and shift (weight 1 and bias 0 are then
  // buffers, not parameters), as DARTS's search network's BatchNorm2d(affine=False).
  TORCH_ARG(bool, affine) = true;
};

// While one is alive on a thread, eval-mode batch norms normalise with the
// batch's own statistics and leave the running ones alone. Weight-sharing
// searches score architectures this way: the running statistics of an op
// that is rarely on the sampled path are stale, and rewards computed with
// them stay near chance (as DARTS's search, which tracks none, avoids).
class BatchStatisticsScope {
 public:
  BatchStatisticsScope();
  ~BatchStatisticsScope();
  BatchStatisticsScope(const BatchStatisticsScope&) = delete;
  BatchStatisticsScope& operator=(const BatchStatisticsScope&) = delete;
  static bool active();

 private:
  bool previous_;
};

class BatchNormImpl : public torch::nn::Module {
 public:
  explicit BatchNormImpl(const BatchNormOptions& options);
  torch::Tensor forward(const torch::Tensor& x);
  // forward(x) for x with the first x.size(1) <= channels channels: the
  // parameters and running statistics of those channels (views, updated
  // in place), as a channel-searching supernet slices one wide layer
  // (SPOS's channel search). Throws std::invalid_argument for more
  // channels than the layer has.
  torch::Tensor forward_first_channels(const torch::Tensor& x);
  // Running mean 0, running variance 1, no batches tracked: as
  // torch.nn.BatchNorm2d's reset_running_stats.
  void reset_running_statistics();
  // added + forward(x) * scale, with the scale folded into the
  // normalisation's own per-channel multiply and `added` into its output
  // pass (no extra pass over the output, forward or backward): scale is
  // 0-d (or [channels]) and may require gradients (a MixedOp's weight,
  // supernet.h); `added` (undefined: nothing) is a tensor of the output's
  // shape, the MixedOp's sum so far.
  torch::Tensor forward_scaled(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& added = {});
  // Eval mode's y = x * scale + shift, per channel, from the running
  // statistics: lets a preceding convolution absorb the normalisation at
  // inference (conv_then_batch_norm).
  std::pair<torch::Tensor, torch::Tensor> eval_affine() const;

  BatchNormOptions options;
  torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 private:
  // Normalises x with `weight`, `bias` and the first x.size(1) channels of the running statistics.
  torch::Tensor normalise(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                          const torch::Tensor& added);
};
TORCH_MODULE(BatchNorm);

// The channels-last kernel itself, differentiable in x, weight and bias,
// with an optional fused ReLU on the output. Training mode normalises with
// the batch statistics and updates the running ones; eval mode uses the
// running statistics. Two passes over x forward, two backward.
// `update_running` false: batch statistics (training true) without
// touching the running ones. `added` (undefined: nothing) is added to the
// output in the same pass, its gradient the output's (no fused ReLU then).
torch::Tensor channels_last_batch_norm(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                       torch::Tensor& running_mean, torch::Tensor& running_var, bool training,
                                       double momentum, double eps, bool relu, bool update_running = true,
                                       const torch::Tensor& added = {});

}  // namespace childnets
