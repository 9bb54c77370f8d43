#include "childnets/pooling.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>

#include <algorithm>
#include <bit>
#include <cstdint>
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

// The per-pixel loops over channels, always inlined into the kernels below
// so that they are compiled (and vectorised) for each clone's target; as
// separate functions over __restrict pointers, GCC vectorises them.
[[gnu::always_inline]] inline void take_max(float* __restrict out, const float* __restrict in, std::int64_t n) {
  for (std::int64_t c = 0; c < n; ++c) out[c] = std::max(out[c], in[c]);
}

// Adds grad into d on the lanes where `in` holds the window's maximum `top`
// and no earlier pixel of the window did (pending = 1), then clears them.
// Written with bit masks: a float compare-and-select is not vectorised
// under GCC's default -ftrapping-math. Comparing bits finds the pixel the
// maximum was copied from (only +0 against -0 differs from ==).
[[gnu::always_inline]] inline void route_to_first_max(float* __restrict d, const float* __restrict in,
                                                      const float* __restrict top, const float* __restrict grad,
                                                      float* __restrict pending, std::int64_t n) {
  for (std::int64_t c = 0; c < n; ++c) {
    const float p = pending[c];
    const std::uint32_t same =
        0u - static_cast<std::uint32_t>(std::bit_cast<std::uint32_t>(in[c]) == std::bit_cast<std::uint32_t>(top[c]));
    const float hit = std::bit_cast<float>(std::bit_cast<std::uint32_t>(p) & same);
    d[c] += hit * grad[c];
    pending[c] = p - hit;
  }
}

[[gnu::always_inline]] inline void add_scaled(float* __restrict out, const float* __restrict in, float factor,
                                              std::int64_t n) {
  for (std::int64_t c = 0; c < n; ++c) out[c] += factor * in[c];
}

[[gnu::always_inline]] inline void scale(float* out, float factor, std::int64_t n) {
  for (std::int64_t c = 0; c < n; ++c) out[c] *= factor;
}

// The kernels work on whole rows: for output row i, window row a and column
// offset dw, output pixel j pairs with input pixel j + dw along the whole
// row, so each (a, dw) is one long contiguous loop over the row's pixels
// and channels, whatever the channel count. Rows are visited in the order
// a ascending, dw ascending: row-major order within each window.

// Output pixels [first, last) of a row that have an input pixel at offset dw.
struct Columns {
  std::int64_t first, last;
};
Columns columns_of(const Image& g, std::int64_t dw) {
  return {std::max<std::int64_t>(0, -dw), std::min(g.w, g.w - dw)};
}

NAS_VECTOR_CLONES void max_pool_image(const Image& g, const float* __restrict x, float* __restrict y) {
  const std::int64_t C = g.c, row = g.w * C;
  for (std::int64_t i = 0; i < g.h; ++i) {
    float* out = y + i * row;
    std::fill(out, out + row, -std::numeric_limits<float>::infinity());
    for (std::int64_t a = g.first(i); a <= g.last_row(i); ++a) {
      for (std::int64_t dw = -g.r; dw <= g.r; ++dw) {
        const Columns cols = columns_of(g, dw);
        take_max(out + cols.first * C, x + a * row + (cols.first + dw) * C, (cols.last - cols.first) * C);
      }
    }
  }
}

// dx += dy routed to the first maximum of each window; `pending`: one row
// (W * C floats) of scratch, 1 while a lane's maximum is still to be found.
NAS_VECTOR_CLONES void max_pool_image_backward(const Image& g, const float* __restrict x, const float* __restrict y,
                                               const float* __restrict dy, float* __restrict dx,
                                               float* __restrict pending) {
  const std::int64_t C = g.c, row = g.w * C;
  for (std::int64_t i = 0; i < g.h; ++i) {
    std::fill(pending, pending + row, 1.0f);
    for (std::int64_t a = g.first(i); a <= g.last_row(i); ++a) {
      for (std::int64_t dw = -g.r; dw <= g.r; ++dw) {
        const Columns cols = columns_of(g, dw);
        const std::int64_t out = i * row + cols.first * C, in = a * row + (cols.first + dw) * C;
        route_to_first_max(dx + in, x + in, y + out, dy + out, pending + cols.first * C, (cols.last - cols.first) * C);
      }
    }
  }
}

// dst = window sum of src over in-image pixels; with `mean`, divided by
// each output pixel's count (the forward average). The backward average is
// this sum (mean = false) over dy already divided by its pixels' counts.
NAS_VECTOR_CLONES void box_sum_image(const Image& g, const float* __restrict src, float* __restrict dst, bool mean) {
  const std::int64_t C = g.c, row = g.w * C;
  for (std::int64_t i = 0; i < g.h; ++i) {
    float* out = dst + i * row;
    std::fill(out, out + row, 0.0f);
    for (std::int64_t a = g.first(i); a <= g.last_row(i); ++a) {
      for (std::int64_t dw = -g.r; dw <= g.r; ++dw) {
        const Columns cols = columns_of(g, dw);
        add_scaled(out + cols.first * C, src + a * row + (cols.first + dw) * C, 1.0f, (cols.last - cols.first) * C);
      }
    }
    if (!mean) continue;
    for (std::int64_t j = 0; j < g.w; ++j) scale(out + j * C, 1.0f / g.count(i, j), C);
  }
}

// dst = src / count of each pixel's window.
NAS_VECTOR_CLONES void divide_by_counts(const Image& g, const float* __restrict src, float* __restrict dst) {
  const std::int64_t C = g.c;
  for (std::int64_t i = 0; i < g.h; ++i) {
    for (std::int64_t j = 0; j < g.w; ++j) {
      const std::int64_t p = (i * g.w + j) * C;
      std::copy(src + p, src + p + C, dst + p);
      scale(dst + p, 1.0f / g.count(i, j), C);
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
  for_each_image(x, [&](std::int64_t offset) { box_sum_image(g, in + offset, out + offset, true); });
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
      std::vector<float> pending(static_cast<std::size_t>(g.w * g.c));
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
    torch::Tensor divided = torch::empty_like(dy, at::MemoryFormat::ChannelsLast);
    torch::Tensor dx = torch::empty_like(dy, at::MemoryFormat::ChannelsLast);
    const float* grad = dy.data_ptr<float>();
    float* spread = divided.data_ptr<float>();
    float* out = dx.data_ptr<float>();
    for_each_image(dy, [&](std::int64_t offset) {
      divide_by_counts(g, grad + offset, spread + offset);
      box_sum_image(g, spread + offset, out + offset, false);
    });
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
