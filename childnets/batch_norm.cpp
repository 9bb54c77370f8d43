#include "childnets/batch_norm.h"

#include "childnets/vector_clones.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>

#include <vector>

namespace childnets {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// The kernels work on rows [begin, end) of the [rows, C] view of a
// channels-last tensor, vectorised over the channels. Each is a plain
// function over raw pointers so that NAS_VECTOR_CLONES reaches its loops.

// sum[c] += x - pivot[c];  square[c] += (x - pivot[c])^2
NAS_VECTOR_CLONES void add_shifted_moments(const float* __restrict x, const float* __restrict pivot, std::int64_t begin,
                                           std::int64_t end, std::int64_t channels, float* __restrict sum,
                                           float* __restrict square) {
  for (std::int64_t r = begin; r < end; ++r) {
    const float* row = x + r * channels;
    for (std::int64_t c = 0; c < channels; ++c) {
      const float d = row[c] - pivot[c];
      sum[c] += d;
      square[c] += d * d;
    }
  }
}

// sum[c] += g;  cross[c] += g * (x - mean[c])
NAS_VECTOR_CLONES void add_gradient_moments(const float* __restrict g, const float* __restrict x,
                                            const float* __restrict mean, std::int64_t begin, std::int64_t end,
                                            std::int64_t channels, float* __restrict sum, float* __restrict cross) {
  for (std::int64_t r = begin; r < end; ++r) {
    const float* grad = g + r * channels;
    const float* row = x + r * channels;
    for (std::int64_t c = 0; c < channels; ++c) {
      sum[c] += grad[c];
      cross[c] += grad[c] * (row[c] - mean[c]);
    }
  }
}

// As add_gradient_moments for an output with ReLU fused: g counts only where
// x * scale + shift > 0, and the masked g is stored into `masked`.
NAS_VECTOR_CLONES void add_masked_gradient_moments(const float* __restrict g, const float* __restrict x,
                                                   const float* __restrict scale, const float* __restrict shift,
                                                   const float* __restrict mean, std::int64_t begin, std::int64_t end,
                                                   std::int64_t channels, float* __restrict masked,
                                                   float* __restrict sum, float* __restrict cross) {
  for (std::int64_t r = begin; r < end; ++r) {
    const float* grad = g + r * channels;
    const float* row = x + r * channels;
    float* kept_row = masked + r * channels;
    for (std::int64_t c = 0; c < channels; ++c) {
      const float kept = row[c] * scale[c] + shift[c] > 0.0f ? grad[c] : 0.0f;
      kept_row[c] = kept;
      sum[c] += kept;
      cross[c] += kept * (row[c] - mean[c]);
    }
  }
}

// y = max(floor, x * scale[c] + shift[c])
NAS_VECTOR_CLONES void affine_rows(const float* __restrict x, const float* __restrict scale,
                                   const float* __restrict shift, float floor, std::int64_t begin, std::int64_t end,
                                   std::int64_t channels, float* __restrict y) {
  for (std::int64_t r = begin; r < end; ++r) {
    const float* row = x + r * channels;
    float* out = y + r * channels;
    for (std::int64_t c = 0; c < channels; ++c) out[c] = std::max(floor, row[c] * scale[c] + shift[c]);
  }
}

// y = added + x * scale[c] + shift[c]
NAS_VECTOR_CLONES void added_affine_rows(const float* __restrict x, const float* __restrict scale,
                                         const float* __restrict shift, const float* __restrict added,
                                         std::int64_t begin, std::int64_t end, std::int64_t channels,
                                         float* __restrict y) {
  for (std::int64_t i = begin * channels; i < end * channels; i += channels) {
    for (std::int64_t c = 0; c < channels; ++c) y[i + c] = added[i + c] + x[i + c] * scale[c] + shift[c];
  }
}

// out = a[c] * g + b[c] * x + d[c]; `out` may be `g` itself.
NAS_VECTOR_CLONES void input_gradient_rows(const float* g, const float* __restrict x, const float* __restrict a,
                                           const float* __restrict b, const float* __restrict d, std::int64_t begin,
                                           std::int64_t end, std::int64_t channels, float* out) {
  for (std::int64_t i = begin * channels; i < end * channels; i += channels) {
    for (std::int64_t c = 0; c < channels; ++c) out[i + c] = a[c] * g[i + c] + b[c] * x[i + c] + d[c];
  }
}

// Per-channel sums of two quantities over all rows, in one pass:
// `accumulate(begin, end, first, second)` adds rows [begin, end) into two
// float accumulators. The rows are split into one chunk per thread; each
// chunk sums blocks of 64 rows in float and the blocks in double.
struct ChannelSums {
  std::vector<double> first, second;
};

template <class Accumulate>
ChannelSums channel_sums(std::int64_t rows, std::int64_t channels, Accumulate accumulate) {
  const std::int64_t chunks = std::max<std::int64_t>(1, std::min<std::int64_t>(at::get_num_threads(), rows / 256));
  const std::int64_t chunk_rows = (rows + chunks - 1) / chunks;
  const auto width = static_cast<std::size_t>(channels);
  std::vector<double> partial(static_cast<std::size_t>(chunks) * 2 * width, 0.0);
  at::parallel_for(0, chunks, 1, [&](std::int64_t from, std::int64_t to) {
    std::vector<float> block(2 * width);
    for (std::int64_t chunk = from; chunk < to; ++chunk) {
      double* out = partial.data() + static_cast<std::size_t>(chunk) * 2 * width;
      const std::int64_t begin = chunk * chunk_rows, end = std::min(rows, begin + chunk_rows);
      for (std::int64_t r0 = begin; r0 < end; r0 += 64) {
        std::fill(block.begin(), block.end(), 0.0f);
        accumulate(r0, std::min(end, r0 + 64), block.data(), block.data() + width);
        for (std::size_t c = 0; c < 2 * width; ++c) out[c] += block[c];
      }
    }
  });
  ChannelSums sums{std::vector<double>(width, 0.0), std::vector<double>(width, 0.0)};
  for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
    const double* part = partial.data() + static_cast<std::size_t>(chunk) * 2 * width;
    for (std::size_t c = 0; c < width; ++c) {
      sums.first[c] += part[c];
      sums.second[c] += part[width + c];
    }
  }
  return sums;
}

// Per-channel scale and shift of y = x * scale + shift, from the statistics.
struct Affine {
  torch::Tensor mean, invstd, scale, shift;
};

Affine statistics(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                  torch::Tensor& running_mean, torch::Tensor& running_var, bool training, double momentum, double eps,
                  bool update_running) {
  const std::int64_t channels = x.size(1), rows = x.numel() / channels;
  Affine affine;
  if (training) {
    const float* in = x.data_ptr<float>();
    // Shift by the first row before squaring: sums of (x - x0) keep the
    // variance accurate when the mean is large against the spread.
    const std::vector<float> pivot(in, in + channels);
    const ChannelSums sums =
        channel_sums(rows, channels, [&](std::int64_t begin, std::int64_t end, float* sum, float* square) {
          add_shifted_moments(in, pivot.data(), begin, end, channels, sum, square);
        });
    affine.mean = torch::empty({channels});
    affine.invstd = torch::empty({channels});
    float* mu = affine.mean.data_ptr<float>();
    float* inv = affine.invstd.data_ptr<float>();
    float* rm = running_mean.data_ptr<float>();
    float* rv = running_var.data_ptr<float>();
    for (std::int64_t c = 0; c < channels; ++c) {
      const auto i = static_cast<std::size_t>(c);
      const double shifted_mean = sums.first[i] / double(rows);
      const double var = std::max(0.0, sums.second[i] / double(rows) - shifted_mean * shifted_mean);
      mu[c] = static_cast<float>(shifted_mean + pivot[i]);
      inv[c] = static_cast<float>(1.0 / std::sqrt(var + eps));
      if (!update_running) continue;
      const double unbiased = rows > 1 ? var * double(rows) / double(rows - 1) : var;
      rm[c] = static_cast<float>((1 - momentum) * rm[c] + momentum * mu[c]);
      rv[c] = static_cast<float>((1 - momentum) * rv[c] + momentum * unbiased);
    }
  } else {
    affine.mean = running_mean.clone();
    affine.invstd = running_var.add(eps).rsqrt();
  }
  affine.scale = (affine.invstd * weight.detach()).contiguous();
  affine.shift = (bias.detach() - affine.mean * affine.scale).contiguous();
  return affine;
}

// The normalised output, plus `added` (channels-last, x's shape) when it is defined.
torch::Tensor apply_affine(const torch::Tensor& x, const Affine& affine, bool relu, const torch::Tensor& added) {
  const std::int64_t channels = x.size(1), rows = x.numel() / channels;
  const float* in = x.data_ptr<float>();
  const float* scale = affine.scale.data_ptr<float>();
  const float* shift = affine.shift.data_ptr<float>();
  torch::Tensor y = torch::empty_like(x, at::MemoryFormat::ChannelsLast);
  float* out = y.data_ptr<float>();
  if (added.defined()) {
    const float* plus = added.data_ptr<float>();
    at::parallel_for(0, rows, 1024, [&](std::int64_t begin, std::int64_t end) {
      added_affine_rows(in, scale, shift, plus, begin, end, channels, out);
    });
    return y;
  }
  const float floor = relu ? 0.0f : -std::numeric_limits<float>::infinity();
  at::parallel_for(0, rows, 1024, [&](std::int64_t begin, std::int64_t end) {
    affine_rows(in, scale, shift, floor, begin, end, channels, out);
  });
  return y;
}

class ChannelsLastBatchNormFunction : public torch::autograd::Function<ChannelsLastBatchNormFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight,
                               const torch::Tensor& bias, torch::Tensor running_mean, torch::Tensor running_var,
                               bool training, double momentum, double eps, bool relu, bool update_running,
                               const torch::Tensor& added) {
    const Affine affine =
        statistics(x, weight, bias, running_mean, running_var, training, momentum, eps, update_running);
    ctx->save_for_backward({x, weight, affine.mean, affine.invstd, affine.scale, affine.shift});
    ctx->saved_data["training"] = training;
    ctx->saved_data["relu"] = relu;
    // An empty `added` stands for none (autograd functions take defined tensors).
    ctx->saved_data["added"] = added.numel() > 0;
    return apply_affine(x, affine, relu, added.numel() > 0 ? added : torch::Tensor());
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    RECORD_FUNCTION("nas::batch_norm_backward", std::vector<c10::IValue>());
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &weight = saved[1];
    const bool training = ctx->saved_data["training"].toBool();
    const bool relu = ctx->saved_data["relu"].toBool();
    const torch::Tensor dy = grads[0].contiguous(at::MemoryFormat::ChannelsLast);
    const std::int64_t channels = x.size(1), rows = x.numel() / channels;
    const float* in = x.data_ptr<float>();
    const float* g = dy.data_ptr<float>();
    const float* mu = saved[2].data_ptr<float>();
    const float* inv = saved[3].data_ptr<float>();
    const float* scale = saved[4].data_ptr<float>();
    const float* shift = saved[5].data_ptr<float>();
    const torch::Tensor w_contiguous = weight.contiguous();
    const float* w = w_contiguous.data_ptr<float>();
    // With the fused ReLU the gradient reaching the affine map is dy where
    // the output was positive (recomputed from x), else zero: the sums pass
    // writes it into dx's buffer, which the last pass overwrites in place.
    torch::Tensor dx = torch::empty_like(x, at::MemoryFormat::ChannelsLast);
    float* out = dx.data_ptr<float>();
    const float* grad = relu ? out : g;
    const ChannelSums sums =
        channel_sums(rows, channels, [&](std::int64_t begin, std::int64_t end, float* sum, float* cross) {
          if (relu) {
            add_masked_gradient_moments(g, in, scale, shift, mu, begin, end, channels, out, sum, cross);
          } else {
            add_gradient_moments(g, in, mu, begin, end, channels, sum, cross);
          }
        });
    torch::Tensor grad_weight = torch::empty({channels}), grad_bias = torch::empty({channels});
    // Training: dx = w*inv * (dy - mean(dy) - (x-mu) * inv^2 * mean(dy*(x-mu)));
    // eval: dx = w*inv * dy. Both as dx = a*dy + b*x + d per channel.
    std::vector<float> a(static_cast<std::size_t>(channels)), b(a.size()), d(a.size());
    for (std::int64_t c = 0; c < channels; ++c) {
      const auto i = static_cast<std::size_t>(c);
      grad_bias.data_ptr<float>()[c] = static_cast<float>(sums.first[i]);
      grad_weight.data_ptr<float>()[c] = static_cast<float>(sums.second[i] * inv[c]);
      a[i] = w[c] * inv[c];
      const double k = training ? double(w[c]) * inv[c] * inv[c] * inv[c] * sums.second[i] / double(rows) : 0.0;
      b[i] = static_cast<float>(-k);
      d[i] = training ? static_cast<float>(k * mu[c] - double(w[c]) * inv[c] * sums.first[i] / double(rows)) : 0.0f;
    }
    at::parallel_for(0, rows, 1024, [&](std::int64_t begin, std::int64_t end) {
      input_gradient_rows(grad, in, a.data(), b.data(), d.data(), begin, end, channels, out);
    });
    // The added tensor's gradient is the output's, passed through.
    const torch::Tensor grad_added = ctx->saved_data["added"].toBool() ? grads[0] : torch::Tensor();
    return {dx, grad_weight, grad_bias, {}, {}, {}, {}, {}, {}, {}, grad_added};
  }
};

}  // namespace

torch::Tensor channels_last_batch_norm(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                       torch::Tensor& running_mean, torch::Tensor& running_var, bool training,
                                       double momentum, double eps, bool relu, bool update_running,
                                       const torch::Tensor& added) {
  RECORD_FUNCTION("nas::batch_norm_forward", std::vector<c10::IValue>());
  TORCH_CHECK(!added.defined() || (!relu && added.sizes() == x.sizes() && added.scalar_type() == torch::kFloat &&
                                   added.is_contiguous(at::MemoryFormat::ChannelsLast)),
              "batch norm: `added` must be a channels-last float tensor of x's shape, without the fused ReLU");
  const bool needs_graph = torch::GradMode::is_enabled() && !c10::InferenceMode::is_enabled() &&
                           (x.requires_grad() || weight.requires_grad() || bias.requires_grad() ||
                            (added.defined() && added.requires_grad()));
  if (!needs_graph) {
    return apply_affine(x,
                        statistics(x, weight, bias, running_mean, running_var, training, momentum, eps, update_running),
                        relu, added);
  }
  return ChannelsLastBatchNormFunction::apply(x, weight, bias, running_mean, running_var, training, momentum, eps, relu,
                                              update_running, added.defined() ? added : torch::empty({0}));
}

BatchNormImpl::BatchNormImpl(const BatchNormOptions& options_) : options(options_) {
  if (options.affine()) {
    weight = register_parameter("weight", torch::ones({options.channels()}));
    bias = register_parameter("bias", torch::zeros({options.channels()}));
  } else {
    weight = register_buffer("weight", torch::ones({options.channels()}));
    bias = register_buffer("bias", torch::zeros({options.channels()}));
  }
  running_mean = register_buffer("running_mean", torch::zeros({options.channels()}));
  running_var = register_buffer("running_var", torch::ones({options.channels()}));
  num_batches_tracked = register_buffer("num_batches_tracked", torch::zeros({}, torch::kLong));
}

namespace {
thread_local bool batch_statistics_in_eval = false;
}

BatchStatisticsScope::BatchStatisticsScope() : previous_(batch_statistics_in_eval) { batch_statistics_in_eval = true; }
BatchStatisticsScope::~BatchStatisticsScope() { batch_statistics_in_eval = previous_; }
bool BatchStatisticsScope::active() { return batch_statistics_in_eval; }

std::pair<torch::Tensor, torch::Tensor> BatchNormImpl::eval_affine() const {
  const torch::Tensor scale = running_var.add(options.eps()).rsqrt() * weight;
  return {scale, bias - running_mean * scale};
}

torch::Tensor BatchNormImpl::forward(const torch::Tensor& x) { return normalise(x, weight, bias, {}); }

void BatchNormImpl::reset_running_statistics() {
  torch::NoGradGuard no_grad;
  running_mean.zero_();
  running_var.fill_(1.0);
  num_batches_tracked.zero_();
}

torch::Tensor BatchNormImpl::forward_first_channels(const torch::Tensor& x) {
  const std::int64_t channels = x.size(1);
  if (channels > options.channels()) {
    throw std::invalid_argument("batch norm of " + std::to_string(options.channels()) + " channels given " +
                                std::to_string(channels));
  }
  if (channels == options.channels()) return forward(x);
  return normalise(x, weight.narrow(0, 0, channels), bias.narrow(0, 0, channels), {});
}

torch::Tensor BatchNormImpl::forward_scaled(const torch::Tensor& x, const torch::Tensor& scale,
                                            const torch::Tensor& added) {
  // (x_hat * w + b) * s = x_hat * (w * s) + b * s; without affine parameters w = 1 and b = 0.
  // The weight is materialised: libtorch's batch norm backward reads it as contiguous, and an
  // expanded (stride 0) scale would have it read past the scalar.
  const torch::Tensor scaled_weight =
      options.affine() ? weight * scale : scale.expand({options.channels()}).contiguous();
  return normalise(x, scaled_weight, options.affine() ? bias * scale : bias, added);
}

torch::Tensor BatchNormImpl::normalise(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                       const torch::Tensor& added) {
  const bool fast =
      x.dim() == 4 && x.scalar_type() == torch::kFloat && x.is_contiguous(at::MemoryFormat::ChannelsLast) &&
      x.device().is_cpu() &&
      (!added.defined() || (!options.relu() && added.sizes() == x.sizes() && added.scalar_type() == torch::kFloat &&
                            added.is_contiguous(at::MemoryFormat::ChannelsLast)));
  if (is_training()) {
    torch::NoGradGuard no_grad;
    num_batches_tracked += 1;
  }
  // Batch statistics in training, and in eval inside a BatchStatisticsScope
  // (then without touching the running statistics).
  const bool batch_statistics = is_training() || BatchStatisticsScope::active();
  // Views of the first x.size(1) channels (all of them unless a sliced forward asked for fewer).
  torch::Tensor mean = running_mean.narrow(0, 0, x.size(1)), var = running_var.narrow(0, 0, x.size(1));
  if (fast) {
    return channels_last_batch_norm(x, weight, bias, mean, var, batch_statistics, options.momentum(), options.eps(),
                                    options.relu(), is_training(), added);
  }
  if (batch_statistics && !is_training()) {  // libtorch always updates what it is given: give it copies
    mean = mean.clone();
    var = var.clone();
  }
  torch::Tensor y = torch::batch_norm(x, weight, bias, mean, var, batch_statistics, options.momentum(), options.eps(),
                                      /*cudnn_enabled=*/false);
  if (options.relu()) y = torch::relu(y);
  return added.defined() ? y + added : y;
}

}  // namespace childnets
