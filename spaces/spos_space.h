#pragma once
// spos: the Single Path One-Shot space (Guo et al. 2020, "Single Path
// One-Shot Neural Architecture Search with Uniform Sampling";
// megvii-model/SinglePathOneShot src/Supernet/network.py, blocks.py). A
// ShuffleNetV2-style stack of choice layers in stages; every layer picks
// one of four blocks, in SPOS's index order:
//   0 shuffle_3x3, 1 shuffle_5x5, 2 shuffle_7x7, 3 xception
// (ShuffleNetV2 units whose main branch is 1x1 -> depthwise kxk -> 1x1, or
// three depthwise-3x3/pointwise pairs for xception). The first layer of a
// stage has stride 2.
//
// Options (defaults: a small layout for 28x28 inputs; the paper's ImageNet
// layout is stage_repeats=[4,4,8,4], stage_channels=[64,160,320,640],
// stem_channels=16, head_channels=1024, stem_stride=2, network.py:13-22):
//   stage_repeats   layers per stage
//   stage_channels  output channels per stage (each above the one before,
//                   the stem's for the first: a stride-2 unit concatenates
//                   its input's projection with a main branch of the rest)
//   stem_channels, head_channels, stem_stride: the network around them
//   channel_search  per layer also a width multiplier of the main branch's
//                   middle channels, 0.2 .. 1.6 in steps of 0.2 (8 choices;
//                   the paper's channel search; the official code has only
//                   a commented-out scale_list, network.py:120-125)
//
// Tokens: one block choice per layer (SPOS's tuple of L ints in 0..3), then,
// with channel_search, one width choice per layer (0..7: multiplier
// 0.2 * (choice + 1)).
//
// Graph: one layer stack (role kLayers): the input, then vertex i + 1 for
// layer i (NodeInfo::index = i, width_multiplier its width), its in-edge
// from the vertex before carrying the block (EdgeInfo::op), then the
// output.

#include "spaces/search_space.h"

namespace spaces {

class SposSpace : public SearchSpace {
 public:
  // Throws OptionError for lists of other lengths or widths that do not grow.
  explicit SposSpace(Params params);

  std::string cell_name(int cell) const override;
  std::string describe_decision(std::size_t position) const override;
  ArchGraph decode(const Arch& arch) const override;
  Arch encode(const ArchGraph& graph) const override;
  // 4^L, times 8^L with channel_search.
  BigCount size() const override;

  // Layers in all (L) and each layer's stage.
  int num_layers() const { return static_cast<int>(stage_of_layer_.size()); }
  int stage_of(int layer) const { return stage_of_layer_.at(static_cast<std::size_t>(layer)); }
  bool first_of_stage(int layer) const;
  const std::vector<std::int64_t>& stage_channels() const { return stage_channels_; }
  std::int64_t stem_channels() const { return stem_channels_; }
  std::int64_t head_channels() const { return head_channels_; }
  std::int64_t stem_stride() const { return stem_stride_; }
  bool channel_search() const { return channel_search_; }
  // The width multipliers a width token indexes: 0.2, 0.4, ..., 1.6.
  static const std::vector<double>& width_multipliers();
  // The largest multiplier any architecture of this space uses (1.0
  // without channel search): the shared weights are declared this wide.
  double max_width_multiplier() const;

 private:
  std::vector<int> stage_of_layer_;
  std::vector<std::int64_t> stage_channels_;
  std::int64_t stem_channels_ = 0, head_channels_ = 0, stem_stride_ = 1;
  bool channel_search_ = false;
};

}  // namespace spaces
