#pragma once
// The op library: every operation a cell or layer can apply, as libtorch
// modules (FooOptions / FooImpl / TORCH_MODULE(Foo)). All ops keep the
// tensor's memory format (the networks run channels-last, where libtorch's
// depthwise convolutions are several times faster on CPU than in NCHW).
//
// CellOpImpl is the common base of everything a cell edge can run, so the
// parameter store can hold them under one type; make_cell_op builds one by
// its op name as the spaces spell it.

#include <torch/torch.h>

#include "childnets/batch_norm.h"

#include <memory>
#include <string>

namespace childnets {

// Counts multiply-accumulates while enabled (see MacCounter); every
// convolution and linear layer of the library reports through it.
class MacCounter {
 public:
  MacCounter();   // starts counting on this thread
  ~MacCounter();  // stops
  MacCounter(const MacCounter&) = delete;
  MacCounter& operator=(const MacCounter&) = delete;
  std::int64_t macs() const { return macs_; }
  static void add(std::int64_t macs);  // no-op unless a counter is active

 private:
  std::int64_t macs_ = 0;
  MacCounter* previous_;
};

// Multiply-accumulates of a convolution that produced `output` with
// `weight` ([out, in / groups, kh, kw]): each output element costs
// in / groups x kh x kw.
std::int64_t conv_macs(const torch::Tensor& output, const torch::Tensor& weight);

// conv(x) that reports its MACs to an active MacCounter.
torch::Tensor counted_conv(torch::nn::Conv2d& conv, const torch::Tensor& x);

// bn(conv(x)) with the batch norm folded into the convolution's weights
// when nothing needs gradients and bn is in eval mode (one pass over the
// output instead of two, bn's fused ReLU applied in place); the plain
// composition otherwise. conv must have no bias. Counts MACs as
// counted_conv does.
torch::Tensor conv_then_batch_norm(torch::nn::Conv2d& conv, BatchNormImpl& bn, const torch::Tensor& x);

class CellOpImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
  // Whether drop-path may drop this op's output (DARTS: all but identity).
  virtual bool droppable() const { return true; }
  // Ops that begin with a ReLU also take the activated input directly, so
  // a network feeding one state to several of them applies the ReLU once:
  // forward(x) == forward_activated(relu(x)).
  virtual bool starts_with_relu() const { return false; }
  virtual torch::Tensor forward_activated(const torch::Tensor& activated);
  // added + forward(x) * scale (scale 0-d, possibly requiring gradients;
  // added undefined: nothing): a MixedOp's weighted term added to its sum
  // so far (supernet.h). Ops that end in a batch norm fold the scale and
  // the sum into it, saving passes over the output both ways.
  virtual torch::Tensor forward_scaled(const torch::Tensor& x, const torch::Tensor& scale,
                                       const torch::Tensor& added = {}) {
    return added.defined() ? torch::addcmul(added, forward(x), scale) : forward(x) * scale;
  }
  // added + forward_activated(activated) * scale, folded likewise.
  virtual torch::Tensor forward_activated_scaled(const torch::Tensor& activated, const torch::Tensor& scale,
                                                 const torch::Tensor& added = {}) {
    return added.defined() ? torch::addcmul(added, forward_activated(activated), scale)
                           : forward_activated(activated) * scale;
  }
};

// For ops whose forward is forward_activated(relu(x)).
class ReluFirstOpImpl : public CellOpImpl {
 public:
  torch::Tensor forward(const torch::Tensor& x) override { return forward_activated(torch::relu(x)); }
  torch::Tensor forward_scaled(const torch::Tensor& x, const torch::Tensor& scale,
                               const torch::Tensor& added = {}) override {
    return forward_activated_scaled(torch::relu(x), scale, added);
  }
  bool starts_with_relu() const override { return true; }
};

struct ReluConvBnOptions {
  ReluConvBnOptions(std::int64_t in, std::int64_t out, std::int64_t kernel) : in_(in), out_(out), kernel_(kernel) {}
  TORCH_ARG(std::int64_t, in);      // input channels
  TORCH_ARG(std::int64_t, out);     // output channels
  TORCH_ARG(std::int64_t, kernel);  // square kernel size
  TORCH_ARG(std::int64_t, stride) = 1;
  TORCH_ARG(std::int64_t, dilation) = 1;
  TORCH_ARG(bool, relu_first) = true;  // ReLU-conv-BN (cells); false: conv-BN-ReLU (macro/GeNet)
  TORCH_ARG(bool, affine) = true;      // the batch norm's learned scale and shift (BatchNormOptions::affine)
};

// ReLU -> conv -> BN (or conv -> BN -> ReLU), padding keeps the size at stride 1.
class ReluConvBnImpl : public CellOpImpl {
 public:
  explicit ReluConvBnImpl(const ReluConvBnOptions& options);
  torch::Tensor forward(const torch::Tensor& x) override;
  bool starts_with_relu() const override { return options.relu_first(); }
  torch::Tensor forward_activated(const torch::Tensor& activated) override;
  torch::Tensor forward_scaled(const torch::Tensor& x, const torch::Tensor& scale,
                               const torch::Tensor& added = {}) override;
  torch::Tensor forward_activated_scaled(const torch::Tensor& activated, const torch::Tensor& scale,
                                         const torch::Tensor& added = {}) override;
  ReluConvBnOptions options;
  torch::nn::Conv2d conv{nullptr};
  BatchNorm bn{nullptr};
};
TORCH_MODULE(ReluConvBn);

struct SepConvOptions {
  SepConvOptions(std::int64_t channels, std::int64_t kernel) : channels_(channels), kernel_(kernel) {}
  TORCH_ARG(std::int64_t, channels);
  TORCH_ARG(std::int64_t, kernel);
  TORCH_ARG(std::int64_t, stride) = 1;    // of the first depthwise conv
  TORCH_ARG(std::int64_t, dilation) = 1;  // 2 makes DARTS's dil_conv
  TORCH_ARG(std::int64_t, repeats) = 2;   // ENAS/DARTS sep_conv: 2; dil_conv: 1
  TORCH_ARG(bool, affine) = true;         // the batch norms' learned scale and shift
};

// (ReLU -> depthwise kxk -> pointwise 1x1 -> BN) x repeats; the inner
// ReLUs are fused into the batch norms before them.
class SepConvImpl : public ReluFirstOpImpl {
 public:
  explicit SepConvImpl(const SepConvOptions& options);
  torch::Tensor forward_activated(const torch::Tensor& activated) override;
  torch::Tensor forward_activated_scaled(const torch::Tensor& activated, const torch::Tensor& scale,
                                         const torch::Tensor& added = {}) override;
  SepConvOptions options;
  torch::nn::ModuleList depthwise, pointwise, norms;
};
TORCH_MODULE(SepConv);

struct FactorizedConvOptions {
  FactorizedConvOptions(std::int64_t channels, std::int64_t kernel) : channels_(channels), kernel_(kernel) {}
  TORCH_ARG(std::int64_t, channels);
  TORCH_ARG(std::int64_t, kernel);  // 7: conv 1x7 then 7x1
  TORCH_ARG(std::int64_t, stride) = 1;
  TORCH_ARG(bool, affine) = true;  // the batch norm's learned scale and shift
};

// ReLU -> conv 1xk -> conv kx1 -> BN.
class FactorizedConvImpl : public ReluFirstOpImpl {
 public:
  explicit FactorizedConvImpl(const FactorizedConvOptions& options);
  torch::Tensor forward_activated(const torch::Tensor& activated) override;
  FactorizedConvOptions options;
  torch::nn::Conv2d row{nullptr}, column{nullptr};
  BatchNorm bn{nullptr};
};
TORCH_MODULE(FactorizedConv);

struct PoolOptions {
  explicit PoolOptions(bool average) : average_(average) {}
  TORCH_ARG(bool, average);          // avg (count_include_pad=false) or max
  TORCH_ARG(bool, minimum) = false;  // max pool of -x, negated: NAO_V1's min_pool
  TORCH_ARG(std::int64_t, kernel) = 3;
  TORCH_ARG(std::int64_t, stride) = 1;
};

class PoolImpl : public CellOpImpl {
 public:
  explicit PoolImpl(const PoolOptions& options) : options(options) {}
  torch::Tensor forward(const torch::Tensor& x) override;
  PoolOptions options;

 private:
  torch::Tensor pooled(const torch::Tensor& x) const;  // max or average, as `options` says
};
TORCH_MODULE(Pool);

class IdentityImpl : public CellOpImpl {
 public:
  torch::Tensor forward(const torch::Tensor& x) override { return x; }
  bool droppable() const override { return false; }
};
TORCH_MODULE(Identity);

// DARTS's 'none': zeros of the output shape.
class ZeroImpl : public CellOpImpl {
 public:
  explicit ZeroImpl(std::int64_t stride) : stride(stride) {}
  torch::Tensor forward(const torch::Tensor& x) override;
  std::int64_t stride;
};
TORCH_MODULE(Zero);

struct FactorizedReduceOptions {
  FactorizedReduceOptions(std::int64_t in, std::int64_t out) : in_(in), out_(out) {}
  TORCH_ARG(std::int64_t, in);
  TORCH_ARG(std::int64_t, out);    // even
  TORCH_ARG(bool, affine) = true;  // the batch norm's learned scale and shift
};

// Halves the resolution without losing pixels: ReLU, a 1x1 stride-2 conv on
// x and a 1x1 conv on x's odd pixels (x shifted by one pixel, zero-padded at
// an odd size), each to out/2 channels, concat, BN.
class FactorizedReduceImpl : public ReluFirstOpImpl {
 public:
  explicit FactorizedReduceImpl(const FactorizedReduceOptions& options);
  torch::Tensor forward_activated(const torch::Tensor& activated) override;
  torch::Tensor forward_activated_scaled(const torch::Tensor& activated, const torch::Tensor& scale,
                                         const torch::Tensor& added = {}) override;
  bool droppable() const override { return false; }
  FactorizedReduceOptions options;
  torch::nn::Conv2d even{nullptr}, odd{nullptr};
  BatchNorm bn{nullptr};
};
TORCH_MODULE(FactorizedReduce);

// Builds the op a space names, at `channels` in and out, applying `stride`.
// Names: sep_conv_KxK, dil_conv_KxK (DARTS: one dilated separable conv),
// dil_sep_conv_KxK (NAO_V1: two, as sep_conv), conv_KxK, conv_1xK_Kx1,
// avg_pool_KxK, max_pool_KxK, min_pool_KxK, identity / skip_connect, none. `affine`
// false: batch norms without learned scale and shift (DARTS's search).
// Throws std::invalid_argument naming an op the library does not have.
std::shared_ptr<CellOpImpl> make_cell_op(const std::string& name, std::int64_t channels, std::int64_t stride,
                                         bool affine = true);
// Whether the op has weights (pools, identity at stride 1 and none do not).
bool op_has_weights(const std::string& name, std::int64_t stride);
// Whether `name` is the identity under one of its spaces' names (identity,
// skip_connect, skip): a factorized reduction at stride 2.
bool is_identity_op(const std::string& name);

// Stores every 4-d parameter of `module` channels-last, the layout the
// networks run in.
void use_channels_last(torch::nn::Module& module);

// Drop-path (Larsson et al.; as in DARTS): zeroes whole samples with
// probability p and rescales the rest by 1/(1-p). Identity when p == 0.
torch::Tensor drop_path(const torch::Tensor& x, double probability);

struct StemOptions {
  StemOptions(std::int64_t in, std::int64_t out) : in_(in), out_(out) {}
  TORCH_ARG(std::int64_t, in);
  TORCH_ARG(std::int64_t, out);
};

// conv 3x3 -> BN, the first layer of every network; its output is
// channels-last whatever the input's layout.
class StemImpl : public torch::nn::Module {
 public:
  explicit StemImpl(const StemOptions& options);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Conv2d conv{nullptr};
  BatchNorm bn{nullptr};
};
TORCH_MODULE(Stem);

struct ClassifierOptions {
  ClassifierOptions(std::int64_t channels, std::int64_t classes) : channels_(channels), classes_(classes) {}
  TORCH_ARG(std::int64_t, channels);
  TORCH_ARG(std::int64_t, classes);
  TORCH_ARG(double, dropout) = 0.0;  // ENAS: 1 - keep_prob
  TORCH_ARG(bool, relu_first) = true;
  TORCH_ARG(bool, bias) = true;       // SPOS's classifier has none
  TORCH_ARG(double, init_std) = 0.0;  // weights normal(0, init_std) (SPOS: 0.01); 0: libtorch's default
};

// ReLU -> global average pool -> dropout -> linear.
class ClassifierImpl : public torch::nn::Module {
 public:
  explicit ClassifierImpl(const ClassifierOptions& options);
  torch::Tensor forward(const torch::Tensor& x);
  ClassifierOptions options;
  torch::nn::Linear linear{nullptr};
};
TORCH_MODULE(Classifier);

struct AuxiliaryHeadOptions {
  AuxiliaryHeadOptions(std::int64_t channels, std::int64_t classes) : channels_(channels), classes_(classes) {}
  TORCH_ARG(std::int64_t, channels);  // of the input [batch, channels, size, size]
  TORCH_ARG(std::int64_t, classes);
  // ENAS's and NAO-WS's fixed-arc head (micro_child.py:287-323): a 5x5
  // average pool at stride 3 without padding (8x8 -> 2x2), a conv whose
  // kernel is the pooled size (2x2 for CIFAR's 8x8, 1x1 for 7x7) padded
  // as TF's SAME (the extra row and column at the bottom and right) and
  // then averaged to 1x1, and a linear layer without bias. false: DARTS's
  // form below, whose conv is always 2x2.
  TORCH_ARG(bool, enas_form) = false;
  // Height = width of the input, for enas_form; the constructor throws
  // std::invalid_argument below 5.
  TORCH_ARG(std::int64_t, input_size) = 8;
};

// The auxiliary head of DARTS/NASNet, for any input of at least 2x2:
// ReLU -> average pool to 2x2 -> conv 1x1 (128) -> BN -> ReLU -> conv 2x2
// (768) -> BN -> ReLU -> linear [batch, classes]. See enas_form for ENAS's.
class AuxiliaryHeadImpl : public torch::nn::Module {
 public:
  explicit AuxiliaryHeadImpl(const AuxiliaryHeadOptions& options);
  torch::Tensor forward(const torch::Tensor& x);
  AuxiliaryHeadOptions options;
  torch::nn::Conv2d reduce{nullptr}, expand{nullptr};
  BatchNorm bn1{nullptr}, bn2{nullptr};
  torch::nn::Linear linear{nullptr};
};
TORCH_MODULE(AuxiliaryHead);

}  // namespace childnets
