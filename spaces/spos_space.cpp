#include "spaces/spos_space.h"

#include <algorithm>
#include <cmath>

#include "spaces/infra/errors.h"
#include "spaces/layer_stack.h"
#include "spaces/registry.h"

namespace spaces {
namespace {

const std::vector<std::string> kBlocks = {"shuffle_3x3", "shuffle_5x5", "shuffle_7x7", "xception"};

}  // namespace

const std::vector<double>& SposSpace::width_multipliers() {
  static const std::vector<double> multipliers = {0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6};
  return multipliers;
}

SposSpace::SposSpace(Params params) : SearchSpace("spos", std::move(params)) {
  const Params& p = this->params();
  const std::vector<std::int64_t>& repeats = p.get_int_list("stage_repeats");
  stage_channels_ = p.get_int_list("stage_channels");
  stem_channels_ = p.get_int("stem_channels");
  head_channels_ = p.get_int("head_channels");
  stem_stride_ = p.get_int("stem_stride");
  channel_search_ = p.get_bool("channel_search");
  if (repeats.size() != stage_channels_.size()) {
    throw OptionError("spos: stage_repeats has " + std::to_string(repeats.size()) + " stages but stage_channels has " +
                      std::to_string(stage_channels_.size()));
  }
  std::int64_t previous = stem_channels_;
  for (std::size_t s = 0; s < repeats.size(); ++s) {
    if (stage_channels_[s] <= previous) {
      throw OptionError("spos: stage " + std::to_string(s + 1) + " has " + std::to_string(stage_channels_[s]) +
                        " channels, not more than the " + std::to_string(previous) +
                        " before it (a stride-2 unit adds a main branch to its input's projection)");
    }
    if (stage_channels_[s] % 2 != 0) {
      throw OptionError("spos: stage " + std::to_string(s + 1) + " has an odd channel count " +
                        std::to_string(stage_channels_[s]) + " (a stride-1 unit splits its input in halves)");
    }
    previous = stage_channels_[s];
    for (std::int64_t r = 0; r < repeats[s]; ++r) stage_of_layer_.push_back(static_cast<int>(s));
  }
  op_names_ = kBlocks;
  for (int layer = 0; layer < num_layers(); ++layer) {
    decisions_.push_back(Decision{DecisionKind::kOp, static_cast<std::int64_t>(kBlocks.size()), 0, layer + 1, 0});
  }
  if (channel_search_) {
    for (int layer = 0; layer < num_layers(); ++layer) {
      decisions_.push_back(
          Decision{DecisionKind::kWidth, static_cast<std::int64_t>(width_multipliers().size()), 0, layer + 1, 0});
    }
  }
}

std::string SposSpace::cell_name(int /*cell*/) const { return "layers"; }

std::string SposSpace::describe_decision(std::size_t position) const {
  const Decision& d = decisions().at(position);
  const int layer = d.node - 1;
  return "layer " + std::to_string(layer) + " (stage " + std::to_string(stage_of(layer) + 1) + ") " +
         (d.kind == DecisionKind::kWidth ? "width" : "block");
}

bool SposSpace::first_of_stage(int layer) const { return layer == 0 || stage_of(layer) != stage_of(layer - 1); }

double SposSpace::max_width_multiplier() const { return channel_search_ ? width_multipliers().back() : 1.0; }

ArchGraph SposSpace::decode(const Arch& arch) const {
  validate(arch);
  const auto layers = static_cast<std::size_t>(num_layers());
  const std::vector<std::int64_t> blocks(arch.tokens.begin(), arch.tokens.begin() + static_cast<long>(layers));
  std::vector<double> widths;
  for (std::size_t layer = 0; channel_search_ && layer < layers; ++layer) {
    widths.push_back(width_multipliers()[static_cast<std::size_t>(arch.tokens[layers + layer])]);
  }
  return ArchGraph{spec(), {make_layer_stack(blocks, kBlocks, widths)}};
}

Arch SposSpace::encode(const ArchGraph& graph) const {
  const auto layers = static_cast<std::size_t>(num_layers());
  if (graph.space != spec() || graph.cells.size() != 1) {
    throw ArchError(name() + ": expected one stack of " + std::to_string(layers) + " layers of space " + spec());
  }
  const CellGraph& stack = graph.cells[0];
  std::vector<std::int64_t> tokens = layer_ops(stack, layers, name());
  tokens.resize(num_tokens(), 0);
  for (std::size_t layer = 0; channel_search_ && layer < layers; ++layer) {
    const double width = stack[static_cast<Vertex>(layer + 1)].width_multiplier;
    const auto& multipliers = width_multipliers();
    const auto found =
        std::find_if(multipliers.begin(), multipliers.end(), [&](double m) { return std::abs(m - width) < 1e-9; });
    if (found == multipliers.end()) {
      throw ArchError(name() + ": layer " + std::to_string(layer) + " has width x" + std::to_string(width) +
                      ", not one of 0.2, 0.4, ..., 1.6");
    }
    tokens[layers + layer] = found - multipliers.begin();
  }
  Arch arch = make_arch(std::move(tokens));
  validate(arch);
  return arch;
}

BigCount SposSpace::size() const {
  BigCount count = BigCount::power(BigCount(static_cast<std::int64_t>(kBlocks.size())), num_layers());
  if (channel_search_) {
    count = count * BigCount::power(BigCount(static_cast<std::int64_t>(width_multipliers().size())), num_layers());
  }
  return count;
}

REGISTER_SPACE(spos,
               "Single Path One-Shot: ShuffleNetV2 choice layers (shuffle 3x3/5x5/7x7, xception), optional "
               "channel search",
               {ParamSpec{"stage_repeats", std::vector<std::int64_t>{2, 2, 4, 2},
                          "choice layers per stage (SPOS ImageNet: [4,4,8,4])", 1, 32},
                ParamSpec{"stage_channels", std::vector<std::int64_t>{32, 64, 128, 256},
                          "output channels per stage (SPOS ImageNet: [64,160,320,640])", 2, 4096},
                ParamSpec{"stem_channels", std::int64_t{16}, "channels of the first convolution (SPOS: 16)", 1, 4096},
                ParamSpec{"head_channels", std::int64_t{512}, "channels of the last 1x1 convolution (SPOS: 1024)", 1,
                          16384},
                ParamSpec{"stem_stride", std::int64_t{1}, "stride of the first convolution (SPOS ImageNet: 2)", 1, 4},
                ParamSpec{"channel_search", false, "also search each layer's width, x0.2 .. x1.6 (the paper's)"}},
               [](const Params& params) { return std::make_shared<const SposSpace>(params); });

}  // namespace spaces
