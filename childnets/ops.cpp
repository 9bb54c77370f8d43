#include "childnets/ops.h"

#include "childnets/depthwise_conv.h"
#include "childnets/pooling.h"

#include <regex>
#include <stdexcept>

namespace childnets {
namespace {

thread_local MacCounter* active_counter = nullptr;

namespace F = torch::nn::functional;

torch::nn::Conv2d make_conv(std::int64_t in, std::int64_t out, std::vector<std::int64_t> kernel,
                            std::vector<std::int64_t> stride, std::vector<std::int64_t> padding,
                            std::int64_t dilation = 1, std::int64_t groups = 1) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel)
                               .stride(stride)
                               .padding(padding)
                               .dilation(dilation)
                               .groups(groups)
                               .bias(false));
}

BatchNorm make_bn(std::int64_t channels) { return BatchNorm(BatchNormOptions(channels)); }

// The pixels at odd row and column of x, [N, C, ceil(H/2), ceil(W/2)], with
// zeros where an odd size leaves the last row or column without one: what a
// 1x1 stride-2 convolution reads of x shifted by one pixel. Its own autograd
// function because libtorch's slice backward returns a contiguous (NCHW)
// gradient, and one NCHW gradient slows every elementwise backward upstream
// of it against the channels-last activations (8x for threshold_backward).
class OddPixelsFunction : public torch::autograd::Function<OddPixelsFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x) {
    ctx->saved_data["sizes"] = x.sizes();
    const std::int64_t h = x.size(2), w = x.size(3);
    torch::Tensor y = zeros_in_layout_of(x, {x.size(0), x.size(1), (h + 1) / 2, (w + 1) / 2});
    odd_part(y, h, w).copy_(odd_grid(x));
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto sizes = ctx->saved_data["sizes"].toIntVector();
    const torch::Tensor& dy = grads[0];
    torch::Tensor dx = zeros_in_layout_of(dy, sizes);
    odd_grid(dx).copy_(odd_part(dy, sizes[2], sizes[3]));
    return {dx};
  }

 private:
  // torch::zeros ignores the options' memory format; torch::empty keeps it.
  static torch::Tensor zeros_in_layout_of(const torch::Tensor& like, at::IntArrayRef sizes) {
    return torch::empty(sizes, like.options().memory_format(like.suggest_memory_format())).zero_();
  }
  static torch::Tensor odd_grid(const torch::Tensor& x) {
    return x.slice(2, 1, x.size(2), 2).slice(3, 1, x.size(3), 2);
  }
  // The part of the [ceil(H/2), ceil(W/2)] grid that odd pixels fill.
  static torch::Tensor odd_part(const torch::Tensor& y, std::int64_t h, std::int64_t w) {
    return y.narrow(2, 0, h / 2).narrow(3, 0, w / 2);
  }
};

}  // namespace

MacCounter::MacCounter() : previous_(active_counter) { active_counter = this; }
MacCounter::~MacCounter() { active_counter = previous_; }
void MacCounter::add(std::int64_t macs) {
  if (active_counter != nullptr) active_counter->macs_ += macs;
}

std::int64_t conv_macs(const torch::Tensor& output, const torch::Tensor& weight) {
  return output.numel() * weight.size(1) * weight.size(2) * weight.size(3);
}

torch::Tensor counted_conv(torch::nn::Conv2d& conv, const torch::Tensor& x) {
  torch::Tensor y = conv->forward(x);
  if (active_counter != nullptr) MacCounter::add(conv_macs(y, conv->weight));
  return y;
}

torch::Tensor conv_then_batch_norm(torch::nn::Conv2d& conv, BatchNormImpl& bn, const torch::Tensor& x) {
  const bool foldable = !bn.is_training() && !BatchStatisticsScope::active() &&
                        (!torch::GradMode::is_enabled() || c10::InferenceMode::is_enabled());
  if (!foldable) return bn.forward(counted_conv(conv, x));
  const auto [scale, shift] = bn.eval_affine();
  const auto& o = conv->options;
  torch::Tensor y = F::conv2d(x, conv->weight * scale.view({-1, 1, 1, 1}),
                              F::Conv2dFuncOptions()
                                  .bias(shift)
                                  .stride(o.stride())
                                  .padding(o.padding())
                                  .dilation(o.dilation())
                                  .groups(o.groups()));
  MacCounter::add(conv_macs(y, conv->weight));
  return bn.options.relu() ? y.relu_() : y;
}

ReluConvBnImpl::ReluConvBnImpl(const ReluConvBnOptions& options_) : options(options_) {
  const std::int64_t pad = options.dilation() * (options.kernel() - 1) / 2;
  conv = register_module("conv", make_conv(options.in(), options.out(), {options.kernel(), options.kernel()},
                                           {options.stride(), options.stride()}, {pad, pad}, options.dilation()));
  bn = register_module("bn",
                       BatchNorm(BatchNormOptions(options.out()).relu(!options.relu_first()).affine(options.affine())));
}

torch::Tensor CellOpImpl::forward_activated(const torch::Tensor& /*activated*/) {
  throw std::logic_error("forward_activated called on an op that does not start with a ReLU");
}

torch::Tensor ReluConvBnImpl::forward(const torch::Tensor& x) {
  return options.relu_first() ? forward_activated(torch::relu(x)) : conv_then_batch_norm(conv, *bn, x);
}

torch::Tensor ReluConvBnImpl::forward_activated(const torch::Tensor& activated) {
  return conv_then_batch_norm(conv, *bn, activated);
}

torch::Tensor ReluConvBnImpl::forward_scaled(const torch::Tensor& x, const torch::Tensor& scale,
                                             const torch::Tensor& added) {
  if (!options.relu_first()) return CellOpImpl::forward_scaled(x, scale, added);  // the ReLU after the norm: no folding
  return forward_activated_scaled(torch::relu(x), scale, added);
}

torch::Tensor ReluConvBnImpl::forward_activated_scaled(const torch::Tensor& activated, const torch::Tensor& scale,
                                                       const torch::Tensor& added) {
  return bn->forward_scaled(counted_conv(conv, activated), scale, added);
}

SepConvImpl::SepConvImpl(const SepConvOptions& options_) : options(options_) {
  const std::int64_t c = options.channels(), k = options.kernel();
  const std::int64_t pad = options.dilation() * (k - 1) / 2;
  for (std::int64_t r = 0; r < options.repeats(); ++r) {
    const std::int64_t stride = r == 0 ? options.stride() : 1;
    depthwise->push_back(make_conv(c, c, {k, k}, {stride, stride}, {pad, pad}, options.dilation(), c));
    pointwise->push_back(make_conv(c, c, {1, 1}, {1, 1}, {0, 0}));
    norms->push_back(BatchNorm(BatchNormOptions(c).relu(r + 1 < options.repeats()).affine(options.affine())));
  }
  register_module("depthwise", depthwise);
  register_module("pointwise", pointwise);
  register_module("norms", norms);
}

torch::Tensor SepConvImpl::forward_activated(const torch::Tensor& activated) {
  return forward_activated_scaled(activated, torch::Tensor());
}

torch::Tensor SepConvImpl::forward_activated_scaled(const torch::Tensor& activated, const torch::Tensor& scale,
                                                    const torch::Tensor& added) {
  torch::Tensor y = activated;
  for (std::size_t r = 0; r < depthwise->size(); ++r) {
    auto dw = depthwise->ptr<torch::nn::Conv2dImpl>(r);
    auto pw = pointwise->ptr<torch::nn::Conv2dImpl>(r);
    torch::nn::Conv2d pw_holder(pw);
    const std::int64_t k = options.kernel(), stride = r == 0 ? options.stride() : 1;
    y = any_depthwise_conv2d(y, dw->weight, stride, options.dilation() * (k - 1) / 2, options.dilation());
    MacCounter::add(conv_macs(y, dw->weight));
    BatchNormImpl& norm = *norms->ptr<BatchNormImpl>(r);
    const bool last = r + 1 == depthwise->size();
    y = last && scale.defined() ? norm.forward_scaled(counted_conv(pw_holder, y), scale, added)
                                : conv_then_batch_norm(pw_holder, norm, y);
  }
  return y;
}

FactorizedConvImpl::FactorizedConvImpl(const FactorizedConvOptions& options_) : options(options_) {
  const std::int64_t c = options.channels(), k = options.kernel(), s = options.stride(), pad = (k - 1) / 2;
  row = register_module("row", make_conv(c, c, {1, k}, {1, s}, {0, pad}));
  column = register_module("column", make_conv(c, c, {k, 1}, {s, 1}, {pad, 0}));
  bn = register_module("bn", BatchNorm(BatchNormOptions(c).affine(options.affine())));
}

torch::Tensor FactorizedConvImpl::forward_activated(const torch::Tensor& activated) {
  return conv_then_batch_norm(column, *bn, counted_conv(row, activated));
}

torch::Tensor PoolImpl::forward(const torch::Tensor& x) {
  if (options.minimum()) return -pooled(-x);
  return pooled(x);
}

torch::Tensor PoolImpl::pooled(const torch::Tensor& x) const {
  const std::int64_t k = options.kernel(), s = options.stride();
  if (k % 2 == 0) {
    // Even kernels (NAO's 2x2 pools) keep the size as NAO does: zero-pad
    // k/2 at the right and bottom, (k-1)/2 at the left and top, pool unpadded.
    const torch::Tensor padded = F::pad(x, F::PadFuncOptions({(k - 1) / 2, k / 2, (k - 1) / 2, k / 2}));
    if (options.average()) return F::avg_pool2d(padded, F::AvgPool2dFuncOptions(k).stride(s));
    return F::max_pool2d(padded, F::MaxPool2dFuncOptions(k).stride(s));
  }
  if (same_pool_kernel_applies(x, k, s)) return options.average() ? same_avg_pool2d(x, k) : same_max_pool2d(x, k);
  const std::int64_t pad = (k - 1) / 2;
  if (options.average()) {
    return F::avg_pool2d(x, F::AvgPool2dFuncOptions(k).stride(s).padding(pad).count_include_pad(false));
  }
  return F::max_pool2d(x, F::MaxPool2dFuncOptions(k).stride(s).padding(pad));
}

torch::Tensor ZeroImpl::forward(const torch::Tensor& x) {
  using torch::indexing::None;
  using torch::indexing::Slice;
  if (stride == 1) return x.mul(0.0);
  return x.index({Slice(), Slice(), Slice(None, None, stride), Slice(None, None, stride)}).mul(0.0);
}

FactorizedReduceImpl::FactorizedReduceImpl(const FactorizedReduceOptions& options_) : options(options_) {
  if (options.out() % 2 != 0) throw std::invalid_argument("FactorizedReduce needs an even number of output channels");
  even = register_module("even", make_conv(options.in(), options.out() / 2, {1, 1}, {2, 2}, {0, 0}));
  odd = register_module("odd", make_conv(options.in(), options.out() / 2, {1, 1}, {1, 1}, {0, 0}));
  bn = register_module("bn", BatchNorm(BatchNormOptions(options.out()).affine(options.affine())));
}

torch::Tensor FactorizedReduceImpl::forward_activated(const torch::Tensor& r) {
  return forward_activated_scaled(r, torch::Tensor());
}

torch::Tensor FactorizedReduceImpl::forward_activated_scaled(const torch::Tensor& r, const torch::Tensor& scale,
                                                             const torch::Tensor& added) {
  // The odd path reads the image shifted by one pixel, zero-padded at an odd
  // size: its 1x1 stride-1 convolution runs on the odd pixels directly.
  const torch::Tensor halves = torch::cat({counted_conv(even, r), counted_conv(odd, OddPixelsFunction::apply(r))}, 1);
  return scale.defined() ? bn->forward_scaled(halves, scale, added) : bn->forward(halves);
}

std::shared_ptr<CellOpImpl> make_cell_op(const std::string& name, std::int64_t channels, std::int64_t stride,
                                         bool affine) {
  static const std::regex square(R"((sep_conv|dil_conv|dil_sep_conv|conv|avg_pool|max_pool|min_pool)_(\d)x\2)");
  static const std::regex factorized(R"(conv_1x(\d)_\1x1)");
  std::smatch match;
  if (is_identity_op(name)) {
    if (stride == 1) return std::make_shared<IdentityImpl>();
    return std::make_shared<FactorizedReduceImpl>(FactorizedReduceOptions(channels, channels).affine(affine));
  }
  if (name == "none") return std::make_shared<ZeroImpl>(stride);
  if (std::regex_match(name, match, factorized)) {
    return std::make_shared<FactorizedConvImpl>(
        FactorizedConvOptions(channels, std::stoi(match[1])).stride(stride).affine(affine));
  }
  if (std::regex_match(name, match, square)) {
    const std::string kind = match[1];
    const std::int64_t k = std::stoi(match[2]);
    if (kind == "sep_conv") {
      return std::make_shared<SepConvImpl>(SepConvOptions(channels, k).stride(stride).affine(affine));
    }
    if (kind == "dil_conv") {
      return std::make_shared<SepConvImpl>(
          SepConvOptions(channels, k).stride(stride).dilation(2).repeats(1).affine(affine));
    }
    if (kind == "dil_sep_conv") {
      return std::make_shared<SepConvImpl>(SepConvOptions(channels, k).stride(stride).dilation(2).affine(affine));
    }
    if (kind == "conv") {
      return std::make_shared<ReluConvBnImpl>(ReluConvBnOptions(channels, channels, k).stride(stride).affine(affine));
    }
    return std::make_shared<PoolImpl>(
        PoolOptions(kind == "avg_pool").minimum(kind == "min_pool").kernel(k).stride(stride));
  }
  throw std::invalid_argument("op library has no op named '" + name + "'");
}

bool op_has_weights(const std::string& name, std::int64_t stride) {
  if (name == "none" || name.find("pool") != std::string::npos) return false;
  if (is_identity_op(name)) return stride != 1;
  return true;
}

bool is_identity_op(const std::string& name) { return name == "identity" || name == "skip_connect" || name == "skip"; }

void use_channels_last(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters()) {
    if (p.dim() == 4) p.set_data(p.data().contiguous(at::MemoryFormat::ChannelsLast));
  }
}

torch::Tensor drop_path(const torch::Tensor& x, double probability) {
  if (probability <= 0.0) return x;
  const double keep = 1.0 - probability;
  const torch::Tensor mask = torch::empty({x.size(0), 1, 1, 1}, x.options()).bernoulli_(keep);
  return x.div(keep).mul(mask);
}

StemImpl::StemImpl(const StemOptions& options) {
  conv = register_module("conv", make_conv(options.in(), options.out(), {3, 3}, {1, 1}, {1, 1}));
  bn = register_module("bn", make_bn(options.out()));
}

torch::Tensor StemImpl::forward(const torch::Tensor& x) {
  // A one-channel input is NCHW- and channels-last-contiguous at once, so
  // the convolution answers NCHW; switch before the batch norm, whose
  // channels-last kernel is the fast one.
  return bn(counted_conv(conv, x).contiguous(at::MemoryFormat::ChannelsLast));
}

ClassifierImpl::ClassifierImpl(const ClassifierOptions& options_) : options(options_) {
  linear = register_module(
      "linear",
      torch::nn::Linear(torch::nn::LinearOptions(options.channels(), options.classes()).bias(options.bias())));
  if (options.init_std() > 0) {
    torch::NoGradGuard no_grad;
    linear->weight.normal_(0.0, options.init_std());
  }
}

torch::Tensor ClassifierImpl::forward(const torch::Tensor& x) {
  torch::Tensor y = options.relu_first() ? torch::relu(x) : x;
  y = y.mean({2, 3});
  if (options.dropout() > 0.0) y = F::dropout(y, F::DropoutFuncOptions().p(options.dropout()).training(is_training()));
  MacCounter::add(y.size(0) * options.channels() * options.classes());
  return linear(y);
}

AuxiliaryHeadImpl::AuxiliaryHeadImpl(const AuxiliaryHeadOptions& options_) : options(options_) {
  reduce = register_module("reduce", make_conv(options.channels(), 128, {1, 1}, {1, 1}, {0, 0}));
  bn1 = register_module("bn1", make_bn(128));
  std::int64_t kernel = 2;
  if (options.enas_form()) {
    if (options.input_size() < 5) {
      throw std::invalid_argument("ENAS's auxiliary head pools 5x5 windows; its input is " +
                                  std::to_string(options.input_size()) + "x" + std::to_string(options.input_size()));
    }
    kernel = (options.input_size() - 5) / 3 + 1;  // the pooled size
  }
  expand = register_module("expand", make_conv(128, 768, {kernel, kernel}, {1, 1}, {0, 0}));
  bn2 = register_module("bn2", make_bn(768));
  linear = register_module(
      "linear", torch::nn::Linear(torch::nn::LinearOptions(768, options.classes()).bias(!options.enas_form())));
}

torch::Tensor AuxiliaryHeadImpl::forward(const torch::Tensor& x) {
  torch::Tensor y = torch::relu(x);
  y = options.enas_form() ? F::avg_pool2d(y, F::AvgPool2dFuncOptions(5).stride(3))
                          : F::adaptive_avg_pool2d(y, F::AdaptiveAvgPool2dFuncOptions({2, 2}));
  y = torch::relu(bn1(counted_conv(reduce, y)));
  // TF's SAME: k - 1 rows and columns of zeros, the odd one after.
  if (options.enas_form()) {
    const std::int64_t k = expand->options.kernel_size()->at(0), before = (k - 1) / 2, after = k / 2;
    y = F::pad(y, F::PadFuncOptions({before, after, before, after}));
  }
  y = torch::relu(bn2(counted_conv(expand, y)));
  y = options.enas_form() ? y.mean({2, 3}) : y.flatten(1);
  MacCounter::add(y.size(0) * 768 * linear->options.out_features());
  return linear(y);
}

}  // namespace childnets
