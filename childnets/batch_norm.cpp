#include "childnets/batch_norm.h"

#include <ATen/Parallel.h>

#include <vector>

namespace childnets {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Rows of the [M, C] view of a channels-last tensor, split into one chunk
// per thread; each chunk accumulates per-channel sums of f(row, c).
template <class PerElement>
std::vector<double> channel_sums(std::int64_t rows, std::int64_t channels, PerElement per_element) {
  const std::int64_t chunks = std::max<std::int64_t>(1, std::min<std::int64_t>(at::get_num_threads(), rows / 256));
  const std::int64_t chunk_rows = (rows + chunks - 1) / chunks;
  std::vector<double> partial(static_cast<std::size_t>(chunks * channels), 0.0);
  at::parallel_for(0, chunks, 1, [&](std::int64_t first, std::int64_t last) {
    std::vector<float> block(static_cast<std::size_t>(channels));
    for (std::int64_t chunk = first; chunk < last; ++chunk) {
      double* out = partial.data() + chunk * channels;
      const std::int64_t begin = chunk * chunk_rows, end = std::min(rows, begin + chunk_rows);
      // Sum blocks of 64 rows in float (vectorises over channels), then into double.
      for (std::int64_t r0 = begin; r0 < end; r0 += 64) {
        std::fill(block.begin(), block.end(), 0.0f);
        const std::int64_t r1 = std::min(end, r0 + 64);
        for (std::int64_t r = r0; r < r1; ++r) {
          for (std::int64_t c = 0; c < channels; ++c) block[static_cast<std::size_t>(c)] += per_element(r, c);
        }
        for (std::int64_t c = 0; c < channels; ++c) out[c] += block[static_cast<std::size_t>(c)];
      }
    }
  });
  std::vector<double> sums(static_cast<std::size_t>(channels), 0.0);
  for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
    for (std::int64_t c = 0; c < channels; ++c) sums[static_cast<std::size_t>(c)] += partial[static_cast<std::size_t>(chunk * channels + c)];
  }
  return sums;
}

// y[r, c] = x[r, c] * scale[c] + shift[c]
void affine_rows(const float* x, float* y, const float* scale, const float* shift, std::int64_t rows, std::int64_t channels) {
  at::parallel_for(0, rows, 1024, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t r = begin; r < end; ++r) {
      const float* in = x + r * channels;
      float* out = y + r * channels;
      for (std::int64_t c = 0; c < channels; ++c) out[c] = in[c] * scale[c] + shift[c];
    }
  });
}

struct Normalized {
  torch::Tensor y, mean, invstd;
};

// Forward of the kernel: batch or running statistics, running-stat update.
Normalized normalize(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                     torch::Tensor& running_mean, torch::Tensor& running_var, bool training, double momentum, double eps) {
  const std::int64_t channels = x.size(1), rows = x.numel() / channels;
  const float* in = x.data_ptr<float>();
  Normalized result;
  if (training) {
    const std::vector<double> sum = channel_sums(rows, channels, [&](std::int64_t r, std::int64_t c) { return in[r * channels + c]; });
    result.mean = torch::empty({channels});
    result.invstd = torch::empty({channels});
    float* mu = result.mean.data_ptr<float>();
    for (std::int64_t c = 0; c < channels; ++c) mu[c] = static_cast<float>(sum[static_cast<std::size_t>(c)] / double(rows));
    const std::vector<double> squares = channel_sums(rows, channels, [&](std::int64_t r, std::int64_t c) {
      const float d = in[r * channels + c] - mu[c];
      return d * d;
    });
    float* inv = result.invstd.data_ptr<float>();
    float* rm = running_mean.data_ptr<float>();
    float* rv = running_var.data_ptr<float>();
    for (std::int64_t c = 0; c < channels; ++c) {
      const double var = squares[static_cast<std::size_t>(c)] / double(rows);
      inv[c] = static_cast<float>(1.0 / std::sqrt(var + eps));
      const double unbiased = rows > 1 ? var * double(rows) / double(rows - 1) : var;
      rm[c] = static_cast<float>((1 - momentum) * rm[c] + momentum * mu[c]);
      rv[c] = static_cast<float>((1 - momentum) * rv[c] + momentum * unbiased);
    }
  } else {
    result.mean = running_mean.clone();
    result.invstd = running_var.add(eps).rsqrt();
  }
  // y = (x - mean) * invstd * weight + bias = x * scale + shift
  const torch::Tensor scale = (result.invstd * weight.detach()).contiguous();
  const torch::Tensor shift = (bias.detach() - result.mean * scale).contiguous();
  result.y = torch::empty_like(x, at::MemoryFormat::ChannelsLast);
  affine_rows(in, result.y.data_ptr<float>(), scale.data_ptr<float>(), shift.data_ptr<float>(), rows, channels);
  return result;
}

class ChannelsLastBatchNormFunction : public torch::autograd::Function<ChannelsLastBatchNormFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight,
                               const torch::Tensor& bias, torch::Tensor running_mean, torch::Tensor running_var,
                               bool training, double momentum, double eps) {
    Normalized n = normalize(x, weight, bias, running_mean, running_var, training, momentum, eps);
    ctx->save_for_backward({x, weight, n.mean, n.invstd});
    ctx->saved_data["training"] = training;
    return n.y;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &weight = saved[1], &mean = saved[2], &invstd = saved[3];
    const bool training = ctx->saved_data["training"].toBool();
    const torch::Tensor dy = grads[0].contiguous(at::MemoryFormat::ChannelsLast);
    const std::int64_t channels = x.size(1), rows = x.numel() / channels;
    const float* in = x.data_ptr<float>();
    const float* g = dy.data_ptr<float>();
    const float* mu = mean.data_ptr<float>();
    const torch::Tensor w_contiguous = weight.contiguous();
    const float* w = w_contiguous.data_ptr<float>();
    const float* inv = invstd.data_ptr<float>();
    const std::vector<double> sum_dy = channel_sums(rows, channels, [&](std::int64_t r, std::int64_t c) { return g[r * channels + c]; });
    const std::vector<double> sum_dy_xmu = channel_sums(rows, channels, [&](std::int64_t r, std::int64_t c) {
      return g[r * channels + c] * (in[r * channels + c] - mu[c]);
    });
    torch::Tensor grad_weight = torch::empty({channels}), grad_bias = torch::empty({channels});
    // dx = a[c] * dy + b[c] * x + d[c]; in training mode
    // dx = w*inv * (dy - mean(dy) - (x-mu) * inv^2 * mean(dy*(x-mu))).
    std::vector<float> a(static_cast<std::size_t>(channels)), b(a.size()), d(a.size());
    for (std::int64_t c = 0; c < channels; ++c) {
      const auto i = static_cast<std::size_t>(c);
      grad_bias.data_ptr<float>()[c] = static_cast<float>(sum_dy[i]);
      grad_weight.data_ptr<float>()[c] = static_cast<float>(sum_dy_xmu[i] * inv[c]);
      a[i] = w[c] * inv[c];
      const double k = training ? double(w[c]) * inv[c] * inv[c] * inv[c] * sum_dy_xmu[i] / double(rows) : 0.0;
      b[i] = static_cast<float>(-k);
      d[i] = training ? static_cast<float>(k * mu[c] - double(w[c]) * inv[c] * sum_dy[i] / double(rows)) : 0.0f;
    }
    torch::Tensor dx = torch::empty_like(x, at::MemoryFormat::ChannelsLast);
    float* out = dx.data_ptr<float>();
    at::parallel_for(0, rows, 1024, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t r = begin; r < end; ++r) {
        for (std::int64_t c = 0; c < channels; ++c) {
          const auto i = static_cast<std::size_t>(c);
          out[r * channels + c] = a[i] * g[r * channels + c] + b[i] * in[r * channels + c] + d[i];
        }
      }
    });
    return {dx, grad_weight, grad_bias, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor channels_last_batch_norm(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                       torch::Tensor& running_mean, torch::Tensor& running_var, bool training,
                                       double momentum, double eps) {
  const bool needs_graph = torch::GradMode::is_enabled() && !c10::InferenceMode::is_enabled() &&
                           (x.requires_grad() || weight.requires_grad() || bias.requires_grad());
  if (!needs_graph) return normalize(x, weight, bias, running_mean, running_var, training, momentum, eps).y;
  return ChannelsLastBatchNormFunction::apply(x, weight, bias, running_mean, running_var, training, momentum, eps);
}

BatchNormImpl::BatchNormImpl(const BatchNormOptions& options_) : options(options_) {
  weight = register_parameter("weight", torch::ones({options.channels()}));
  bias = register_parameter("bias", torch::zeros({options.channels()}));
  running_mean = register_buffer("running_mean", torch::zeros({options.channels()}));
  running_var = register_buffer("running_var", torch::ones({options.channels()}));
  num_batches_tracked = register_buffer("num_batches_tracked", torch::zeros({}, torch::kLong));
}

torch::Tensor BatchNormImpl::forward(const torch::Tensor& x) {
  const bool fast = x.dim() == 4 && x.scalar_type() == torch::kFloat && x.is_contiguous(at::MemoryFormat::ChannelsLast) &&
                    x.device().is_cpu();
  if (is_training()) {
    torch::NoGradGuard no_grad;
    num_batches_tracked += 1;
  }
  if (!fast) {
    return torch::batch_norm(x, weight, bias, running_mean, running_var, is_training(), options.momentum(), options.eps(),
                             /*cudnn_enabled=*/false);
  }
  return channels_last_batch_norm(x, weight, bias, running_mean, running_var, is_training(), options.momentum(),
                                  options.eps());
}

}  // namespace childnets
