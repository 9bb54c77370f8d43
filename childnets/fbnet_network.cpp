#include "childnets/fbnet_network.h"

#include <stdexcept>

#include "childnets/batch_norm.h"
#include "childnets/depthwise_conv.h"
#include "childnets/ops.h"

namespace childnets {
namespace {

namespace F = torch::nn::functional;
using Block = spaces::FbnetSpace::Block;

// conv (no bias) -> BN (-> ReLU). Depthwise when `depthwise` (groups =
// channels), else `groups` groups.
class FbConvBnImpl : public torch::nn::Module {
 public:
  FbConvBnImpl(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride, std::int64_t groups,
               bool depthwise, bool relu)
      : kernel_(kernel), stride_(stride), groups_(depthwise ? out : groups), depthwise_(depthwise) {
    weight_ = register_parameter("weight", torch::empty({out, depthwise ? 1 : in / groups, kernel, kernel}));
    torch::NoGradGuard no_grad;
    torch::nn::init::kaiming_normal_(weight_, 0.0, torch::kFanOut, torch::kReLU);
    weight_.set_data(weight_.data().contiguous(kChannelsLast));
    bn_ = register_module("bn", BatchNorm(BatchNormOptions(out).relu(relu)));
  }
  torch::Tensor forward(const torch::Tensor& x) { return bn_->forward(convolve(x)); }
  // added + scale * forward(x), the scale folded into the batch norm (no ReLU).
  torch::Tensor forward_scaled(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& added) {
    return bn_->forward_scaled(convolve(x), scale, added);
  }

 private:
  torch::Tensor convolve(const torch::Tensor& x) {
    const std::int64_t padding = kernel_ / 2;
    const torch::Tensor y =
        depthwise_ ? any_depthwise_conv2d(x, weight_, stride_, padding, 1)
                   : F::conv2d(x, weight_, F::Conv2dFuncOptions().stride(stride_).padding(padding).groups(groups_));
    MacCounter::add(conv_macs(y, weight_));
    return y.contiguous(kChannelsLast);
  }
  std::int64_t kernel_, stride_, groups_;
  bool depthwise_;
  torch::Tensor weight_;
  BatchNorm bn_{nullptr};
};
TORCH_MODULE(FbConvBn);

// ShuffleNet's channel shuffle of `groups` groups: channel g * (C / groups)
// + j moves to j * groups + g.
torch::Tensor shuffle_channels(const torch::Tensor& x, std::int64_t groups) {
  const std::int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  return x.reshape({n, groups, c / groups, h, w}).transpose(1, 2).reshape({n, c, h, w}).contiguous(kChannelsLast);
}

// One candidate block of a searched layer (see the header).
class FbnetBlockImpl : public torch::nn::Module {
 public:
  FbnetBlockImpl(Block block, std::int64_t in, std::int64_t out, std::int64_t stride)
      : block_(block), residual_(stride == 1 && in == out) {
    if (block.skip()) {
      if (!residual_) project_ = register_module("proj", FbConvBn(in, out, 1, stride, 1, false, true));
      return;
    }
    const std::int64_t mid = in * block.expansion;
    expand_ = register_module("pw1", FbConvBn(in, mid, 1, 1, block.groups, false, true));
    depthwise_ = register_module("dw", FbConvBn(mid, mid, block.kernel, stride, 1, true, true));
    project_ = register_module("pw2", FbConvBn(mid, out, 1, 1, block.groups, false, false));
  }

  // added + weight * block(x); an undefined weight is 1, an undefined added 0.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& weight = {}, const torch::Tensor& added = {}) {
    if (block_.skip()) {
      torch::Tensor y = residual_ ? x : project_->forward(x);
      if (weight.defined()) y = y * weight;
      return added.defined() ? added + y : y;
    }
    torch::Tensor h = expand_->forward(x);
    if (block_.groups > 1) h = shuffle_channels(h, block_.groups);
    h = depthwise_->forward(h);
    if (!weight.defined()) {
      torch::Tensor y = project_->forward(h);
      if (residual_) y = y + x;
      return added.defined() ? added + y : y;
    }
    torch::Tensor extra = residual_ ? x * weight : torch::Tensor();
    if (added.defined()) extra = extra.defined() ? extra + added : added;
    return project_->forward_scaled(h, weight, extra);
  }

 private:
  Block block_;
  bool residual_;
  FbConvBn expand_{nullptr}, depthwise_{nullptr}, project_{nullptr};
};
TORCH_MODULE(FbnetBlock);

std::string block_key(int layer, std::int64_t token) {
  return make_key("l", layer, ".", spaces::FbnetSpace::block_names()[static_cast<std::size_t>(token)]);
}

std::int64_t chosen_block(const spaces::ArchGraph& arch, int layer) {
  const spaces::CellGraph& stack = arch.cells.at(0);
  return stack[*boost::in_edges(static_cast<spaces::Vertex>(layer + 1), stack).first].op;
}

}  // namespace

FbnetNetwork::FbnetNetwork(const spaces::SpacePtr& space, const NetworkOptions& options) : options_(options) {
  space_ = std::dynamic_pointer_cast<const spaces::FbnetSpace>(space);
  if (space_ == nullptr) throw std::invalid_argument("FbnetNetwork needs the fbnet space, got " + space->name());
}

void FbnetNetwork::declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const {
  store.add("stem", std::make_shared<FbConvBnImpl>(options_.input_channels(), space_->stem_channels(), 3,
                                                   space_->stem_stride(), 1, false, true));
  const auto blocks = static_cast<std::int64_t>(spaces::FbnetSpace::block_names().size());
  for (int layer = 0; layer < space_->num_layers(); ++layer) {
    for (std::int64_t token = 0; token < blocks; ++token) {
      if (only != nullptr && chosen_block(*only, layer) != token) continue;
      store.add(block_key(layer, token),
                std::make_shared<FbnetBlockImpl>(spaces::FbnetSpace::block(token), space_->layer_in(layer),
                                                 space_->layer_out(layer), space_->layer_stride(layer)));
    }
  }
  const std::int64_t last = space_->layer_out(space_->num_layers() - 1);
  store.add("head_conv", std::make_shared<FbConvBnImpl>(last, space_->head_channels(), 1, 1, 1, false, true));
  store.add("classifier",
            std::make_shared<ClassifierImpl>(ClassifierOptions(space_->head_channels(), options_.num_classes())
                                                 .relu_first(false)
                                                 .dropout(options_.dropout())));
}

ChildOutput FbnetNetwork::forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                                  double /*drop_path: FBNet drops no paths*/) const {
  torch::Tensor current = stem(store, x);
  for (int i = 0; i < space_->num_layers(); ++i) current = layer(store, i, chosen_candidate(arch, i), current);
  return ChildOutput{head(store, current), {}};
}

ChildOutput FbnetNetwork::forward_mixed(ParameterStoreImpl& store, const torch::Tensor& x,
                                        const std::vector<torch::Tensor>& edge_weights) const {
  const auto blocks = static_cast<std::int64_t>(spaces::FbnetSpace::block_names().size());
  if (edge_weights.size() != 1 || edge_weights[0].dim() != 2 || edge_weights[0].size(0) != space_->num_layers() ||
      edge_weights[0].size(1) != blocks) {
    throw std::invalid_argument("fbnet supernet: the mixing weights are one [" + std::to_string(space_->num_layers()) +
                                ", " + std::to_string(blocks) + "] tensor");
  }
  const torch::Tensor& m = edge_weights[0];
  torch::Tensor current = stem(store, x);
  for (int i = 0; i < space_->num_layers(); ++i) {
    torch::Tensor sum;
    for (std::int64_t token = 0; token < blocks; ++token) {
      sum = store.get<FbnetBlockImpl>(block_key(i, token)).forward(current, m[i][token], sum);
    }
    current = sum;
  }
  return ChildOutput{head(store, current), {}};
}

int FbnetNetwork::num_searched_layers() const { return space_->num_layers(); }

std::vector<std::vector<std::int64_t>> FbnetNetwork::layer_candidates(int /*layer*/) const {
  std::vector<std::vector<std::int64_t>> keys;
  for (std::size_t token = 0; token < spaces::FbnetSpace::block_names().size(); ++token) {
    keys.push_back({static_cast<std::int64_t>(token)});
  }
  return keys;
}

std::vector<std::int64_t> FbnetNetwork::chosen_candidate(const spaces::ArchGraph& arch, int layer) const {
  return {chosen_block(arch, layer)};
}

torch::Tensor FbnetNetwork::stem(ParameterStoreImpl& store, const torch::Tensor& x) const {
  return store.get<FbConvBnImpl>("stem").forward(x.contiguous(kChannelsLast));
}

torch::Tensor FbnetNetwork::layer(ParameterStoreImpl& store, int layer, const std::vector<std::int64_t>& key,
                                  const torch::Tensor& x) const {
  const auto blocks = static_cast<std::int64_t>(spaces::FbnetSpace::block_names().size());
  if (layer < 0 || layer >= space_->num_layers() || key.size() != 1 || key[0] < 0 || key[0] >= blocks) {
    throw std::invalid_argument("FbnetNetwork: no candidate (" + std::to_string(key.empty() ? -1 : key[0]) +
                                ") at layer " + std::to_string(layer));
  }
  return store.get<FbnetBlockImpl>(block_key(layer, key[0])).forward(x);
}

torch::Tensor FbnetNetwork::head(ParameterStoreImpl& store, const torch::Tensor& x) const {
  return store.get<ClassifierImpl>("classifier").forward(store.get<FbConvBnImpl>("head_conv").forward(x));
}

}  // namespace childnets
