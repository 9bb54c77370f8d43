#include "childnets/spos_network.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "childnets/depthwise_conv.h"

namespace childnets {
namespace {

namespace F = torch::nn::functional;

// conv -> BN (-> ReLU) whose weight is declared at its widest, [out, in, k,
// k] (depthwise: [channels, 1, k, k]), and runs on the first channels of it:
// the input's channel count, and `out` output channels.
class SlicedConvBnImpl : public torch::nn::Module {
 public:
  // Weights drawn as SPOS's _initialize_weights draws them (network.py):
  // normal with standard deviation `init_std`, or 1 / (input channels per
  // group) when it is 0.
  SlicedConvBnImpl(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride, bool depthwise,
                   bool relu, bool affine, double init_std = 0.0)
      : kernel_(kernel), stride_(stride), depthwise_(depthwise) {
    const std::int64_t in_per_group = depthwise ? 1 : in;
    weight_ = register_parameter("weight", torch::empty({out, in_per_group, kernel, kernel}));
    torch::NoGradGuard no_grad;
    weight_.normal_(0.0, init_std > 0 ? init_std : 1.0 / static_cast<double>(in_per_group));
    weight_.set_data(weight_.data().contiguous(kChannelsLast));
    bn_ = register_module("bn", BatchNorm(BatchNormOptions(out).relu(relu).affine(affine)));
  }

  // x: [batch, c_in, h, w] channels-last, c_in at most the declared input
  // channels (depthwise: channels). Returns [batch, out, h', w'] (depthwise:
  // c_in channels).
  torch::Tensor forward(const torch::Tensor& x, std::int64_t out) {
    const std::int64_t in = x.size(1);
    const std::int64_t padding = kernel_ / 2;
    torch::Tensor w = weight_.narrow(0, 0, depthwise_ ? in : out);
    if (!depthwise_) w = w.narrow(1, 0, in);
    const torch::Tensor y = depthwise_ ? any_depthwise_conv2d(x, w, stride_, padding, 1)
                                       : F::conv2d(x, w, F::Conv2dFuncOptions().stride(stride_).padding(padding));
    MacCounter::add(conv_macs(y, w));
    return bn_->forward_first_channels(y.contiguous(kChannelsLast));
  }

 private:
  std::int64_t kernel_, stride_;
  bool depthwise_;
  torch::Tensor weight_;
  BatchNorm bn_{nullptr};
};
TORCH_MODULE(SlicedConvBn);

// One ShuffleNetV2 unit of SPOS (blocks.py): `block` 0-2 shuffle with a
// 3/5/7 kernel, 3 xception; `in` channels in, `out` out, the main branch's
// middle at most `max_mid` wide.
class SposUnitImpl : public torch::nn::Module {
 public:
  SposUnitImpl(int block, std::int64_t in, std::int64_t out, std::int64_t stride, std::int64_t max_mid, bool affine)
      : stride_(stride) {
    const std::int64_t branch_in = stride == 1 ? in / 2 : in;
    outputs_ = out - branch_in;
    auto add = [&](const std::string& name, std::int64_t c_in, std::int64_t c_out, std::int64_t k, std::int64_t s,
                   bool depthwise, bool relu) {
      main_.push_back(register_module(name, SlicedConvBn(c_in, c_out, k, s, depthwise, relu, affine)));
    };
    const std::int64_t kernel = block == 3 ? 3 : 3 + 2 * block;
    if (block < 3) {
      add("pw1", branch_in, max_mid, 1, 1, false, true);
      add("dw", max_mid, max_mid, kernel, stride, true, false);
      add("pw2", max_mid, outputs_, 1, 1, false, true);
    } else {
      add("dw1", branch_in, branch_in, 3, stride, true, false);
      add("pw1", branch_in, max_mid, 1, 1, false, true);
      add("dw2", max_mid, max_mid, 3, 1, true, false);
      add("pw2", max_mid, max_mid, 1, 1, false, true);
      add("dw3", max_mid, max_mid, 3, 1, true, false);
      add("pw3", max_mid, outputs_, 1, 1, false, true);
    }
    if (stride == 2) {
      projection_.push_back(register_module("proj_dw", SlicedConvBn(in, in, kernel, 2, true, false, affine)));
      projection_.push_back(register_module("proj_pw", SlicedConvBn(in, in, 1, 1, false, true, affine)));
    }
  }

  torch::Tensor forward(const torch::Tensor& x, std::int64_t mid) {
    torch::Tensor passed, main = x;
    if (stride_ == 1) {
      // SPOS's channel_shuffle: even channels pass, odd ones run the branch.
      passed = x.slice(1, 0, x.size(1), 2).contiguous(kChannelsLast);
      main = x.slice(1, 1, x.size(1), 2).contiguous(kChannelsLast);
    } else {
      passed = x;
      for (auto& op : projection_) passed = op->forward(passed, x.size(1));
    }
    for (std::size_t i = 0; i < main_.size(); ++i) {
      main = main_[i]->forward(main, i + 1 == main_.size() ? outputs_ : mid);
    }
    return torch::cat({passed, main}, 1).contiguous(kChannelsLast);
  }

 private:
  std::int64_t stride_, outputs_ = 0;
  std::vector<SlicedConvBn> main_, projection_;
};
TORCH_MODULE(SposUnit);

std::string unit_key(int layer, const std::string& block) { return make_key("l", layer, ".", block); }

// What an architecture chose for `layer` of its stack: the block (the
// layer vertex's in-edge) and the width multiplier (the vertex's).
struct LayerChoice {
  const spaces::EdgeInfo& block;
  double width;
};
LayerChoice layer_choice(const spaces::CellGraph& stack, int layer) {
  const auto vertex = static_cast<spaces::Vertex>(layer + 1);
  return {stack[*boost::in_edges(vertex, stack).first], stack[vertex].width_multiplier};
}

}  // namespace

SposNetwork::SposNetwork(const spaces::SpacePtr& space, const NetworkOptions& options) : options_(options) {
  space_ = std::dynamic_pointer_cast<const spaces::SposSpace>(space);
  if (space_ == nullptr) throw std::invalid_argument("SposNetwork needs the spos space, got " + space->name());
}

std::int64_t SposNetwork::mid_channels(int layer, double multiplier) const {
  const std::int64_t base = space_->stage_channels()[static_cast<std::size_t>(space_->stage_of(layer))] / 2;
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(static_cast<double>(base) * multiplier));
}

void SposNetwork::declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const {
  const bool affine = only != nullptr;
  store.add("stem", std::make_shared<SlicedConvBnImpl>(options_.input_channels(), space_->stem_channels(), 3,
                                                       space_->stem_stride(), false, true, affine, 0.01));
  std::int64_t in = space_->stem_channels();
  for (int layer = 0; layer < space_->num_layers(); ++layer) {
    const std::int64_t out = space_->stage_channels()[static_cast<std::size_t>(space_->stage_of(layer))];
    const std::int64_t stride = space_->first_of_stage(layer) ? 2 : 1;
    for (int block = 0; block < static_cast<int>(space_->op_names().size()); ++block) {
      std::int64_t mid = mid_channels(layer, space_->max_width_multiplier());
      if (only != nullptr) {
        const LayerChoice choice = layer_choice(only->cells.at(0), layer);
        if (choice.block.op != block) continue;
        mid = mid_channels(layer, choice.width);
      }
      store.add(unit_key(layer, space_->op_names()[static_cast<std::size_t>(block)]),
                std::make_shared<SposUnitImpl>(block, in, out, stride, mid, affine));
    }
    in = out;
  }
  store.add("head_conv", std::make_shared<SlicedConvBnImpl>(in, space_->head_channels(), 1, 1, false, true, affine));
  store.add("classifier",
            std::make_shared<ClassifierImpl>(ClassifierOptions(space_->head_channels(), options_.num_classes())
                                                 .relu_first(false)
                                                 .dropout(options_.dropout())
                                                 .bias(false)
                                                 .init_std(0.01)));
}

ChildOutput SposNetwork::forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                                 double /*drop_path: SPOS has no droppable paths*/) const {
  torch::Tensor current = stem(store, x);
  for (int i = 0; i < space_->num_layers(); ++i) current = layer(store, i, chosen_candidate(arch, i), current);
  return ChildOutput{head(store, current), {}};
}

int SposNetwork::num_searched_layers() const { return space_->num_layers(); }

std::vector<std::vector<std::int64_t>> SposNetwork::layer_candidates(int /*layer*/) const {
  std::vector<std::vector<std::int64_t>> keys;
  const std::vector<double> widths =
      space_->channel_search() ? spaces::SposSpace::width_multipliers() : std::vector<double>{1.0};
  for (std::size_t block = 0; block < space_->op_names().size(); ++block) {
    for (double width : widths) keys.push_back({static_cast<std::int64_t>(block), std::llround(width * 10.0)});
  }
  return keys;
}

std::vector<std::int64_t> SposNetwork::chosen_candidate(const spaces::ArchGraph& arch, int layer) const {
  const LayerChoice choice = layer_choice(arch.cells.at(0), layer);
  return {choice.block.op, std::llround(choice.width * 10.0)};
}

torch::Tensor SposNetwork::stem(ParameterStoreImpl& store, const torch::Tensor& x) const {
  return store.get<SlicedConvBnImpl>("stem").forward(x.contiguous(kChannelsLast), space_->stem_channels());
}

torch::Tensor SposNetwork::layer(ParameterStoreImpl& store, int layer, const std::vector<std::int64_t>& key,
                                 const torch::Tensor& x) const {
  const auto listed = layer_candidates(layer);
  if (layer < 0 || layer >= space_->num_layers() || std::find(listed.begin(), listed.end(), key) == listed.end()) {
    throw std::invalid_argument("SposNetwork: no candidate (" + std::to_string(key.empty() ? -1 : key[0]) +
                                ", ...) at layer " + std::to_string(layer));
  }
  return store.get<SposUnitImpl>(unit_key(layer, space_->op_names()[static_cast<std::size_t>(key[0])]))
      .forward(x, mid_channels(layer, double(key[1]) / 10.0));
}

torch::Tensor SposNetwork::head(ParameterStoreImpl& store, const torch::Tensor& x) const {
  const torch::Tensor features = store.get<SlicedConvBnImpl>("head_conv").forward(x, space_->head_channels());
  return store.get<ClassifierImpl>("classifier").forward(features);
}

}  // namespace childnets
