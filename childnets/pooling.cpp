#include "childnets/pooling.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "childnets/vector_clones.h"

namespace childnets {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// One image, [H, W, C] (channels-last), window k x k, r = k / 2.
struct Image {
  std::int64_t h, w, c, r;
  std::int64_t first(std::int64_t i) const { return std::max<std::int64_t>(0, i - r); }
  std::int64_t last_row(std::int64_t i) const { return std::min(h - 1, i + r); }
  std::int64_t last_col(std::int64_t j) const { return std::min(w - 1, j + r); }
  // In-image pixels of the window around (i, j).
  float count(std::int64_t i, std::int64_t j) const {
    return float((last_row(i) - first(i) + 1) * (last_col(j) - first(j) + 1));
  }
};

NAS_VECTOR_CLONES void max_pool_image(const Image& g, const float* __restrict x, float* __restrict y) {
  const std::int64_t C = g.c;
  for (std::int64_t i = 0; i < g.h; ++i) {
    for (std::int64_t j = 0; j < g.w; ++j) {
      float* out = y + (i * g.w + j) * C;
      std::fill(out, out + C, -std::numeric_limits<float>::infinity());
      for (std::int64_t a = g.first(i); a <= g.last_row(i); ++a) {
        for (std::int64_t b = g.first(j); b <= g.last_col(j); ++b) {
          const float* in = x + (a * g.w + b) * C;
          for (std::int64_t c = 0; c < C; ++c) out[c] = in[c] > out[c] ? in[c] : out[c];
        }
      }
    }
  }
}

// dx += dy routed to the first maximum of each window; `pending`: C floats
// of scratch (1 while a lane's maximum is still to be found, then 0).
NAS_VECTOR_CLONES void max_pool_image_backward(const Image& g, const float* __restrict x, const float* __restrict y,
                                               const float* __restrict dy, float* __restrict dx,
                                               float* __restrict pending) {
  const std::int64_t C = g.c;
  for (std::int64_t i = 0; i < g.h; ++i) {
    for (std::int64_t j = 0; j < g.w; ++j) {
      const float* top = y + (i * g.w + j) * C;
      const float* grad = dy + (i * g.w + j) * C;
      std::fill(pending, pending + C, 1.0f);
      for (std::int64_t a = g.first(i); a <= g.last_row(i); ++a) {
        for (std::int64_t b = g.first(j); b <= g.last_col(j); ++b) {
          const float* in = x + (a * g.w + b) * C;
          float* d = dx + (a * g.w + b) * C;
          for (std::int64_t c = 0; c < C; ++c) {
            const float hit = in[c] == top[c] ? pending[c] : 0.0f;
            d[c] += hit * grad[c];
            pending[c] -= hit;
          }
        }
      }
    }
  }
}

// Forward (spread = false): dst = window mean of src over in-image pixels.
// Backward (spread = true): dst = window sum of src / count(source pixel),
// i.e. each output's gradient spread evenly over the pixels it averaged.
NAS_VECTOR_CLONES void box_mean_image(const Image& g, const float* __restrict src, float* __restrict dst, bool spread) {
  const std::int64_t C = g.c;
  for (std::int64_t i = 0; i < g.h; ++i) {
    for (std::int64_t j = 0; j < g.w; ++j) {
      float* out = dst + (i * g.w + j) * C;
      std::fill(out, out + C, 0.0f);
      for (std::int64_t a = g.first(i); a <= g.last_row(i); ++a) {
        for (std::int64_t b = g.first(j); b <= g.last_col(j); ++b) {
          const float* in = src + (a * g.w + b) * C;
          const float scale = spread ? 1.0f / g.count(a, b) : 1.0f;
          for (std::int64_t c = 0; c < C; ++c) out[c] += scale * in[c];
        }
      }
      if (!spread) {
        const float scale = 1.0f / g.count(i, j);
        for (std::int64_t c = 0; c < C; ++c) out[c] *= scale;
      }
    }
  }
}

Image image_of(const torch::Tensor& x, std::int64_t kernel) { return {x.size(2), x.size(3), x.size(1), kernel / 2}; }

// Runs `per_image(n, offset)` for every image, in parallel over images.
template <class PerImage>
void for_each_image(const torch::Tensor& x, PerImage per_image) {
  const std::int64_t stride = x.size(1) * x.size(2) * x.size(3);
  at::parallel_for(0, x.size(0), 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t n = begin; n < end; ++n) per_image(n * stride);
  });
}

torch::Tensor max_pool_forward(const torch::Tensor& x, std::int64_t kernel) {
  const Image g = image_of(x, kernel);
  torch::Tensor y = torch::empty_like(x, at::MemoryFormat::ChannelsLast);
  const float* in = x.data_ptr<float>();
  float* out = y.data_ptr<float>();
  for_each_image(x, [&](std::int64_t offset) { max_pool_image(g, in + offset, out + offset); });
  return y;
}

torch::Tensor avg_pool_forward(const torch::Tensor& x, std::int64_t kernel) {
  const Image g = image_of(x, kernel);
  torch::Tensor y = torch::empty_like(x, at::MemoryFormat::ChannelsLast);
  const float* in = x.data_ptr<float>();
  float* out = y.data_ptr<float>();
  for_each_image(x, [&](std::int64_t offset) { box_mean_image(g, in + offset, out + offset, false); });
  return y;
}

class MaxPoolFunction : public torch::autograd::Function<MaxPoolFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, std::int64_t kernel) {
    torch::Tensor y = max_pool_forward(x, kernel);
    ctx->save_for_backward({x, y});
    ctx->saved_data["kernel"] = kernel;
    return y;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    RECORD_FUNCTION("nas::max_pool_backward", std::vector<c10::IValue>());
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &y = saved[1];
    const Image g = image_of(x, ctx->saved_data["kernel"].toInt());
    const torch::Tensor dy = grads[0].contiguous(at::MemoryFormat::ChannelsLast);
    torch::Tensor dx = torch::zeros_like(x, at::MemoryFormat::ChannelsLast);
    const float *in = x.data_ptr<float>(), *top = y.data_ptr<float>(), *grad = dy.data_ptr<float>();
    float* out = dx.data_ptr<float>();
    for_each_image(x, [&](std::int64_t offset) {
      std::vector<float> pending(static_cast<std::size_t>(g.c));
      max_pool_image_backward(g, in + offset, top + offset, grad + offset, out + offset, pending.data());
    });
    return {dx, {}};
  }
};

class AvgPoolFunction : public torch::autograd::Function<AvgPoolFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, std::int64_t kernel) {
    ctx->saved_data["kernel"] = kernel;
    return avg_pool_forward(x, kernel);
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    RECORD_FUNCTION("nas::avg_pool_backward", std::vector<c10::IValue>());
    const torch::Tensor dy = grads[0].contiguous(at::MemoryFormat::ChannelsLast);
    const Image g = image_of(dy, ctx->saved_data["kernel"].toInt());
    torch::Tensor dx = torch::empty_like(dy, at::MemoryFormat::ChannelsLast);
    const float* grad = dy.data_ptr<float>();
    float* out = dx.data_ptr<float>();
    for_each_image(dy, [&](std::int64_t offset) { box_mean_image(g, grad + offset, out + offset, true); });
    return {dx, {}};
  }
};

bool needs_graph(const torch::Tensor& x) {
  return torch::GradMode::is_enabled() && !c10::InferenceMode::is_enabled() && x.requires_grad();
}

}  // namespace

bool same_pool_kernel_applies(const torch::Tensor& x, std::int64_t kernel, std::int64_t stride) {
  return stride == 1 && kernel % 2 == 1 && x.dim() == 4 && x.scalar_type() == torch::kFloat && x.device().is_cpu() &&
         x.is_contiguous(at::MemoryFormat::ChannelsLast);
}

torch::Tensor same_max_pool2d(const torch::Tensor& x, std::int64_t kernel) {
  TORCH_CHECK(same_pool_kernel_applies(x, kernel, 1),
              "same_max_pool2d needs an odd kernel and a channels-last float CPU tensor");
  return needs_graph(x) ? MaxPoolFunction::apply(x, kernel) : max_pool_forward(x, kernel);
}

torch::Tensor same_avg_pool2d(const torch::Tensor& x, std::int64_t kernel) {
  TORCH_CHECK(same_pool_kernel_applies(x, kernel, 1),
              "same_avg_pool2d needs an odd kernel and a channels-last float CPU tensor");
  return needs_graph(x) ? AvgPoolFunction::apply(x, kernel) : avg_pool_forward(x, kernel);
}

}  // namespace childnets
