#include "childnets/sequential_network.h"

#include <cmath>
#include <stdexcept>

#include "childnets/keras_init.h"
#include "spaces/hyper_space.h"
#include "spaces/infra/errors.h"

namespace childnets {
namespace {

namespace F = torch::nn::functional;

std::string layer_key(std::size_t i) { return make_key("l", static_cast<std::int64_t>(i)); }

// The layers of a decoded hyper-space architecture, from its stack's node ops.
std::vector<spaces::HyperLayer> layers_of(const spaces::ArchGraph& arch) {
  std::vector<spaces::HyperLayer> layers;
  const spaces::CellGraph& stack = arch.cells.at(0);
  for (spaces::Vertex v = 0; v < boost::num_vertices(stack); ++v) {
    if (stack[v].kind == spaces::NodeKind::kIntermediate) layers.push_back(spaces::parse_hyper_layer(stack[v].node_op));
  }
  return layers;
}

// The shape of one image's activation: {features} or {C, H, W}.
struct Shape {
  std::int64_t channels = 0, size = 0;
  bool flat = false;
  std::int64_t features() const { return flat ? channels : channels * size * size; }
};

std::int64_t checked_int(const spaces::HyperLayer& layer, const std::string& attribute) {
  const double v = layer.number(attribute);
  if (!(v >= 1) || v != std::floor(v)) {
    throw spaces::ArchError("layer " + layer.text() + ": " + attribute + " must be a whole number >= 1");
  }
  return static_cast<std::int64_t>(v);
}

// Same padding of a K x K stride-1 convolution: (before, after) per side.
std::pair<std::int64_t, std::int64_t> same_padding(std::int64_t kernel) { return {(kernel - 1) / 2, kernel / 2}; }

torch::Tensor activate(const torch::Tensor& x, const std::string& fn) {
  if (fn == "relu") return torch::relu(x);
  if (fn == "tanh") return torch::tanh(x);
  if (fn == "sigmoid") return torch::sigmoid(x);
  if (fn == "elu") return torch::elu(x);
  if (fn == "selu") return torch::selu(x);
  throw spaces::ArchError("activation '" + fn + "' is not one the sequential network builds");
}

}  // namespace

SequentialNetwork::SequentialNetwork(const spaces::SpacePtr& space, const NetworkOptions& options) : options_(options) {
  if (dynamic_cast<const spaces::HyperSpace*>(space.get()) == nullptr) {
    throw std::invalid_argument("SequentialNetwork needs a hyper-space, got " + space->name());
  }
}

void SequentialNetwork::declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const {
  if (only == nullptr) {
    throw std::invalid_argument(
        "a hyper-space has no shared store: each network is built for its architecture "
        "(evaluate its candidates as trials)");
  }
  const std::vector<spaces::HyperLayer> layers = layers_of(*only);
  Shape shape{options_.input_channels(), options_.image_size(), false};
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const spaces::HyperLayer& layer = layers[i];
    const auto needs_image = [&] {
      if (shape.flat) throw spaces::ArchError("layer " + layer.text() + " needs an image, but its input is flat");
    };
    if (layer.op == "dense") {
      const std::int64_t units = checked_int(layer, "units");
      auto linear = torch::nn::Linear(torch::nn::LinearOptions(shape.features(), units));
      keras_init_linear(*linear);
      store.add(layer_key(i), linear.ptr());
      shape = Shape{units, 1, true};
    } else if (layer.op == "conv2d") {
      needs_image();
      const std::int64_t filters = checked_int(layer, "filters"), kernel = checked_int(layer, "kernel");
      auto conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(shape.channels, filters, kernel).bias(true));
      keras_init_conv(*conv);
      store.add(layer_key(i), conv.ptr());
      shape.channels = filters;
    } else if (layer.op == "batch_norm") {
      if (shape.flat) {
        store.add(layer_key(i), torch::nn::BatchNorm1d(keras_batch_norm(shape.channels)).ptr());
      } else {
        store.add(layer_key(i), torch::nn::BatchNorm2d(keras_batch_norm(shape.channels)).ptr());
      }
    } else if (layer.op == "max_pool" || layer.op == "avg_pool") {
      needs_image();
      const std::int64_t size = checked_int(layer, "size");
      shape.size = (shape.size + size - 1) / size;
    } else if (layer.op == "flatten") {
      shape = Shape{shape.features(), 1, true};
    } else if (layer.op == "activation") {
      activate(torch::zeros({1}), layer.word("fn"));  // refuses an unknown function now, not mid-training
    } else if (layer.op == "dropout") {
      const double rate = layer.number("rate");
      if (!(rate >= 0 && rate < 1)) throw spaces::ArchError("layer " + layer.text() + ": rate must be in [0, 1)");
    }
  }
  auto classifier = torch::nn::Linear(torch::nn::LinearOptions(shape.features(), options_.num_classes()));
  keras_init_linear(*classifier);
  store.add("classifier", classifier.ptr());
}

ChildOutput SequentialNetwork::forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                                       double /*drop_path: no paths to drop*/) const {
  const std::vector<spaces::HyperLayer> layers = layers_of(arch);
  torch::Tensor y = x;
  const bool training = store.is_training();
  const auto flat = [](const torch::Tensor& t) { return t.dim() > 2 ? t.flatten(1) : t; };
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const spaces::HyperLayer& layer = layers[i];
    const std::string key = layer_key(i);
    if (layer.op == "dense") {
      auto& linear = store.get<torch::nn::LinearImpl>(key);
      y = flat(y);
      MacCounter::add(y.size(0) * linear.options.in_features() * linear.options.out_features());
      y = linear.forward(y);
    } else if (layer.op == "conv2d") {
      auto& conv = store.get<torch::nn::Conv2dImpl>(key);
      const auto [before, after] = same_padding(conv.options.kernel_size()->at(0));
      if (before > 0 || after > 0) y = F::pad(y, F::PadFuncOptions({before, after, before, after}));
      y = conv.forward(y);
      MacCounter::add(conv_macs(y, conv.weight));
    } else if (layer.op == "batch_norm") {
      y = y.dim() > 2 ? store.get<torch::nn::BatchNorm2dImpl>(key).forward(y)
                      : store.get<torch::nn::BatchNorm1dImpl>(key).forward(y);
    } else if (layer.op == "activation") {
      y = activate(y, layer.word("fn"));
    } else if (layer.op == "dropout") {
      y = F::dropout(y, F::DropoutFuncOptions().p(layer.number("rate")).training(training));
    } else if (layer.op == "max_pool") {
      const auto size = static_cast<std::int64_t>(layer.number("size"));
      y = F::max_pool2d(y, F::MaxPool2dFuncOptions(size).stride(size).ceil_mode(true));
    } else if (layer.op == "avg_pool") {
      const auto size = static_cast<std::int64_t>(layer.number("size"));
      y = F::avg_pool2d(y, F::AvgPool2dFuncOptions(size).stride(size).ceil_mode(true));
    } else if (layer.op == "flatten") {
      y = flat(y);
    }
  }
  auto& classifier = store.get<torch::nn::LinearImpl>("classifier");
  y = flat(y);
  MacCounter::add(y.size(0) * classifier.options.in_features() * classifier.options.out_features());
  return ChildOutput{classifier.forward(y), {}};
}

}  // namespace childnets
