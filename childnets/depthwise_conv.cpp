#include "childnets/depthwise_conv.h"

#include "childnets/vector_clones.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>

#include <cstring>
#include <stdexcept>
#include <vector>

namespace childnets {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

struct Geometry {
  std::int64_t n, c, h, w, oh, ow, k, stride, pad, dilation;
};

Geometry geometry_of(const torch::Tensor& x, std::int64_t k, std::int64_t stride, std::int64_t pad,
                     std::int64_t dilation) {
  Geometry g{x.size(0), x.size(1), x.size(2), x.size(3), 0, 0, k, stride, pad, dilation};
  g.oh = (g.h + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
  g.ow = (g.w + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
  return g;
}

// The weight-gradient kernel, register-blocked. For one output row, one
// kernel row kh and a block of W channels, the K taps' sums stay in K vector
// registers while the row's pixels stream past: each multiply-add loads one
// input vector and stores nothing. Each image is first copied into a buffer
// with `pad` zero columns either side, so no pixel needs a bounds check.
// Tap sums are float within an image and double across images.

// W floats as one GCC vector (an attribute on a dependent type would be
// dropped, so each width is spelled out).
template <int W>
struct LanesOf;
template <>
struct LanesOf<8> {
  using type = float __attribute__((vector_size(8 * sizeof(float))));
};
template <>
struct LanesOf<4> {
  using type = float __attribute__((vector_size(4 * sizeof(float))));
};
template <>
struct LanesOf<1> {
  using type = float;
};

// The helpers below take and return vectors by value but are always inlined,
// so no call ever passes one: the ABI note GCC gives for that does not apply.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

template <class V>
[[gnu::always_inline]] inline V load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class V>
[[gnu::always_inline]] inline void add_to(float* p, V v) {
  v += load<V>(p);
  std::memcpy(p, &v, sizeof v);
}

// taps[(kh * K + kw) * C + c + j] += sum over the row's pixels, for output
// row `oh` and channels [c, c + W). `image`: the padded [H, PW, C] copy.
template <int K, int W>
[[gnu::always_inline]] inline void add_row_taps(const Geometry& g, const float* grad_row, const float* image,
                                                std::int64_t padded_width, std::int64_t oh, std::int64_t c,
                                                float* taps) {
  using V = typename LanesOf<W>::type;
  for (int kh = 0; kh < K; ++kh) {
    const std::int64_t ih = oh - g.pad + kh * g.dilation;
    if (ih < 0 || ih >= g.h) continue;
    const float* in_row = image + ih * padded_width * g.c + c;
    V acc[K] = {};
    for (std::int64_t ow = 0; ow < g.ow; ++ow) {
      const V dy = load<V>(grad_row + ow * g.c + c);
      for (int kw = 0; kw < K; ++kw) acc[kw] += dy * load<V>(in_row + (ow + kw * g.dilation) * g.c);
    }
    for (int kw = 0; kw < K; ++kw) add_to(taps + (kh * K + kw) * g.c + c, acc[kw]);
  }
}

template <int K>
[[gnu::always_inline]] inline void add_image_taps_of_size(const Geometry& g, const float* grad_image,
                                                          const float* image, std::int64_t padded_width, float* taps) {
  for (std::int64_t oh = 0; oh < g.oh; ++oh) {
    const float* grad_row = grad_image + oh * g.ow * g.c;
    std::int64_t c = 0;
    for (; c + 8 <= g.c; c += 8) add_row_taps<K, 8>(g, grad_row, image, padded_width, oh, c, taps);
    for (; c + 4 <= g.c; c += 4) add_row_taps<K, 4>(g, grad_row, image, padded_width, oh, c, taps);
    for (; c < g.c; ++c) add_row_taps<K, 1>(g, grad_row, image, padded_width, oh, c, taps);
  }
}

// The kernel sizes it has: 5 and 7. At 3x3 oneDNN's weight gradient is as
// fast (0.69 against 0.77 ms for the whole backward at 64x20x28x28).
bool has_weight_grad_kernel(std::int64_t k) { return k == 5 || k == 7; }

// Adds one image's weight gradient into taps [K*K, C].
NAS_VECTOR_CLONES void add_image_taps(const Geometry& g, const float* grad_image, const float* image,
                                      std::int64_t padded_width, float* taps) {
  switch (g.k) {
    case 3:
      return add_image_taps_of_size<3>(g, grad_image, image, padded_width, taps);
    case 5:
      return add_image_taps_of_size<5>(g, grad_image, image, padded_width, taps);
    case 7:
      return add_image_taps_of_size<7>(g, grad_image, image, padded_width, taps);
    default:
      throw std::logic_error("depthwise weight gradient: no kernel for this size");
  }
}

#pragma GCC diagnostic pop

// The weight gradient [C, 1, K, K] of a stride-1 depthwise convolution.
torch::Tensor weight_gradient(const Geometry& g, const float* x, const float* dy) {
  const std::int64_t padded_width = g.w + 2 * g.pad, image_size = g.h * padded_width * g.c;
  const std::int64_t taps_size = g.k * g.k * g.c;
  const std::int64_t chunks = std::max<std::int64_t>(1, std::min<std::int64_t>(at::get_num_threads(), g.n));
  std::vector<double> partial(static_cast<std::size_t>(chunks * taps_size), 0.0);
  at::parallel_for(0, chunks, 1, [&](std::int64_t first, std::int64_t last) {
    std::vector<float> image(static_cast<std::size_t>(image_size), 0.0f), taps(static_cast<std::size_t>(taps_size));
    for (std::int64_t chunk = first; chunk < last; ++chunk) {
      double* total = partial.data() + chunk * taps_size;
      for (std::int64_t n = chunk * g.n / chunks; n < (chunk + 1) * g.n / chunks; ++n) {
        for (std::int64_t ih = 0; ih < g.h; ++ih) {
          std::memcpy(image.data() + (ih * padded_width + g.pad) * g.c, x + (n * g.h + ih) * g.w * g.c,
                      static_cast<std::size_t>(g.w * g.c) * sizeof(float));
        }
        std::fill(taps.begin(), taps.end(), 0.0f);
        add_image_taps(g, dy + n * g.oh * g.ow * g.c, image.data(), padded_width, taps.data());
        for (std::int64_t i = 0; i < taps_size; ++i) total[i] += taps[static_cast<std::size_t>(i)];
      }
    }
  });
  torch::Tensor dweight = torch::zeros({g.c, 1, g.k, g.k});
  float* out = dweight.data_ptr<float>();
  for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
    for (std::int64_t i = 0; i < taps_size; ++i) {
      out[(i % g.c) * g.k * g.k + i / g.c] +=
          static_cast<float>(partial[static_cast<std::size_t>(chunk * taps_size + i)]);
    }
  }
  return dweight;
}

// The forward pass stays with oneDNN, which is faster there (1.0 against
// 1.8 ms for 64x20x28x28 5x5); only the backward pass is our own.
torch::Tensor forward_with_onednn(const torch::Tensor& x, const torch::Tensor& weight, std::int64_t stride,
                                  std::int64_t padding, std::int64_t dilation) {
  return torch::conv2d(x, weight, {}, stride, padding, dilation, x.size(1));
}

class DepthwiseConvFunction : public torch::autograd::Function<DepthwiseConvFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight,
                               std::int64_t stride, std::int64_t padding, std::int64_t dilation) {
    ctx->save_for_backward({x, weight});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    ctx->saved_data["dilation"] = dilation;
    return forward_with_onednn(x, weight, stride, padding, dilation);
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    RECORD_FUNCTION("nas::depthwise_conv_backward", std::vector<c10::IValue>());
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &weight = saved[1];
    const Geometry g = geometry_of(x, weight.size(2), ctx->saved_data["stride"].toInt(),
                                   ctx->saved_data["padding"].toInt(), ctx->saved_data["dilation"].toInt());
    const torch::Tensor dy = grads[0].contiguous(at::MemoryFormat::ChannelsLast);
    const float* grad = dy.data_ptr<float>();
    const float* in = x.data_ptr<float>();
    const std::int64_t stride = ctx->saved_data["stride"].toInt(), padding = ctx->saved_data["padding"].toInt();
    const std::int64_t dilation = ctx->saved_data["dilation"].toInt();
    // oneDNN computes each gradient fast when asked for it alone, except the
    // weight gradient at 5x5 and up.
    const bool own_weight_grad = weight.requires_grad() && has_weight_grad_kernel(g.k);
    const auto onednn = at::convolution_backward(dy, x, weight, c10::nullopt, {stride, stride}, {padding, padding},
                                                 {dilation, dilation}, false, {0, 0}, g.c,
                                                 {x.requires_grad(), !own_weight_grad, false});
    torch::Tensor dx = std::get<0>(onednn);
    if (!own_weight_grad) return {dx, std::get<1>(onednn), {}, {}, {}};
    const torch::Tensor dweight = weight_gradient(g, in, grad).contiguous(weight.suggest_memory_format());
    return {dx, dweight, {}, {}, {}};
  }
};

}  // namespace

bool depthwise_kernel_applies(const torch::Tensor& x, std::int64_t stride) {
  return stride == 1 && x.dim() == 4 && x.scalar_type() == torch::kFloat && x.device().is_cpu() &&
         x.is_contiguous(at::MemoryFormat::ChannelsLast);
}

torch::Tensor any_depthwise_conv2d(const torch::Tensor& x, const torch::Tensor& weight, std::int64_t stride,
                                   std::int64_t padding, std::int64_t dilation) {
  if (depthwise_kernel_applies(x, stride)) return depthwise_conv2d(x, weight, stride, padding, dilation);
  return torch::nn::functional::conv2d(
      x, weight,
      torch::nn::functional::Conv2dFuncOptions().stride(stride).padding(padding).dilation(dilation).groups(x.size(1)));
}

torch::Tensor depthwise_conv2d(const torch::Tensor& x, const torch::Tensor& weight, std::int64_t stride,
                               std::int64_t padding, std::int64_t dilation) {
  TORCH_CHECK(stride == 1 && x.dim() == 4 && x.scalar_type() == torch::kFloat && x.device().is_cpu() &&
                  x.is_contiguous(at::MemoryFormat::ChannelsLast),
              "depthwise_conv2d needs stride 1 and a channels-last float CPU tensor");
  TORCH_CHECK(
      weight.dim() == 4 && weight.size(0) == x.size(1) && weight.size(1) == 1 && weight.size(2) == weight.size(3),
      "depthwise_conv2d: weight must be [C, 1, K, K] with C = ", x.size(1), ", got ", weight.sizes());
  const bool needs_graph = torch::GradMode::is_enabled() && !c10::InferenceMode::is_enabled() &&
                           (x.requires_grad() || weight.requires_grad());
  if (!needs_graph) return forward_with_onednn(x, weight, stride, padding, dilation);
  return DepthwiseConvFunction::apply(x, weight, stride, padding, dilation);
}

}  // namespace childnets
