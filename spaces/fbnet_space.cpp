#include "spaces/fbnet_space.h"

#include "spaces/infra/errors.h"
#include "spaces/layer_stack.h"
#include "spaces/registry.h"

namespace spaces {

const std::vector<std::string>& FbnetSpace::block_names() {
  static const std::vector<std::string> names = {"k3_e1",    "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1",
                                                 "k5_e1_g2", "k5_e3",    "k5_e6", "skip"};
  return names;
}

FbnetSpace::Block FbnetSpace::block(std::int64_t token) {
  static const std::vector<Block> blocks = {{3, 1, 1}, {3, 1, 2}, {3, 3, 1}, {3, 6, 1}, {5, 1, 1},
                                            {5, 1, 2}, {5, 3, 1}, {5, 6, 1}, {0, 0, 1}};
  if (token < 0 || token >= static_cast<std::int64_t>(blocks.size())) {
    throw ArchError("fbnet: block token " + std::to_string(token) + " is not in 0..8");
  }
  return blocks[static_cast<std::size_t>(token)];
}

FbnetSpace::FbnetSpace(Params params) : SearchSpace("fbnet", std::move(params)) {
  const Params& p = this->params();
  stage_channels_ = p.get_int_list("stage_channels");
  stage_strides_ = p.get_int_list("stage_strides");
  const std::vector<std::int64_t>& repeats = p.get_int_list("stage_repeats");
  stem_channels_ = p.get_int("stem_channels");
  stem_stride_ = p.get_int("stem_stride");
  head_channels_ = p.get_int("head_channels");
  if (repeats.size() != stage_channels_.size() || stage_strides_.size() != stage_channels_.size()) {
    throw OptionError("fbnet: stage_channels, stage_repeats and stage_strides need one entry per stage (got " +
                      std::to_string(stage_channels_.size()) + ", " + std::to_string(repeats.size()) + " and " +
                      std::to_string(stage_strides_.size()) + ")");
  }
  if (stem_channels_ % 2 != 0) {
    throw OptionError("fbnet: stem_channels " + std::to_string(stem_channels_) +
                      " is odd (the g2 blocks' 1x1 convolutions split channels in two groups)");
  }
  for (std::size_t s = 0; s < stage_channels_.size(); ++s) {
    if (stage_channels_[s] % 2 != 0) {
      throw OptionError("fbnet: stage " + std::to_string(s + 1) + " has an odd channel count " +
                        std::to_string(stage_channels_[s]) + " (the g2 blocks split channels in two groups)");
    }
    for (std::int64_t r = 0; r < repeats[s]; ++r) stage_of_layer_.push_back(static_cast<int>(s));
  }
  op_names_ = block_names();
  for (int layer = 0; layer < num_layers(); ++layer) {
    decisions_.push_back(Decision{DecisionKind::kOp, static_cast<std::int64_t>(block_names().size()), 0, layer + 1, 0});
  }
}

std::string FbnetSpace::cell_name(int /*cell*/) const { return "layers"; }

std::string FbnetSpace::describe_decision(std::size_t position) const {
  const int layer = decisions().at(position).node - 1;
  return "layer " + std::to_string(layer) + " (stage " + std::to_string(stage_of(layer) + 1) + ") block";
}

bool FbnetSpace::first_of_stage(int layer) const { return layer == 0 || stage_of(layer) != stage_of(layer - 1); }

std::int64_t FbnetSpace::layer_in(int layer) const {
  if (layer == 0) return stem_channels_;
  return stage_channels_[static_cast<std::size_t>(stage_of(layer - 1))];
}

std::int64_t FbnetSpace::layer_out(int layer) const {
  return stage_channels_[static_cast<std::size_t>(stage_of(layer))];
}

std::int64_t FbnetSpace::layer_stride(int layer) const {
  return first_of_stage(layer) ? stage_strides_[static_cast<std::size_t>(stage_of(layer))] : 1;
}

ArchGraph FbnetSpace::decode(const Arch& arch) const {
  validate(arch);
  return ArchGraph{spec(), {make_layer_stack(arch.tokens, block_names())}};
}

Arch FbnetSpace::encode(const ArchGraph& graph) const {
  if (graph.space != spec() || graph.cells.size() != 1) {
    throw ArchError(name() + ": expected one stack of " + std::to_string(num_layers()) + " layers of space " + spec());
  }
  Arch arch = make_arch(layer_ops(graph.cells[0], static_cast<std::size_t>(num_layers()), name()));
  validate(arch);
  return arch;
}

BigCount FbnetSpace::size() const {
  return BigCount::power(BigCount(static_cast<std::int64_t>(block_names().size())), num_layers());
}

REGISTER_SPACE(fbnet, "FBNet: 9 candidate blocks (k3/k5, expansion 1/3/6, group 2, skip) per TBS layer",
               {ParamSpec{"stage_channels", std::vector<std::int64_t>{8, 12, 16, 24, 32, 48, 64},
                          "output channels per stage (FBNet ImageNet: [16,24,32,64,112,184,352])", 2, 4096},
                ParamSpec{"stage_repeats", std::vector<std::int64_t>{1, 4, 4, 4, 4, 4, 1},
                          "searched layers per stage (FBNet: [1,4,4,4,4,4,1], 22 layers)", 1, 32},
                ParamSpec{"stage_strides", std::vector<std::int64_t>{1, 1, 2, 2, 1, 2, 1},
                          "stride of each stage's first layer (FBNet ImageNet: [1,2,2,2,1,2,1])", 1, 2},
                ParamSpec{"stem_channels", std::int64_t{8}, "channels of the first convolution (FBNet: 16)", 2, 4096},
                ParamSpec{"stem_stride", std::int64_t{2}, "stride of the first convolution (FBNet: 2)", 1, 4},
                ParamSpec{"head_channels", std::int64_t{256},
                          "channels of the last 1x1 convolution (FBNet: 1984; Anna's code 1504)", 1, 16384}},
               [](const Params& params) { return std::make_shared<const FbnetSpace>(params); });

}  // namespace spaces
