#pragma once
// fbnet: the layer-wise space of FBNet (Wu et al., CVPR 2019, "FBNet:
// Hardware-Aware Efficient ConvNet Design via Differentiable Neural
// Architecture Search"; macro architecture of its Table 1, as
// AnnaAraslanova/FBNet supernet_functions/lookup_table_builder.py:14-40 and
// JunrQ/NAS fbnet-pytorch blocks.py:90-146 code it). A stack of searched
// "TBS" layers in stages; every layer picks one of nine blocks, in the
// order of Anna's CANDIDATE_BLOCKS (lookup_table_builder.py:11-13; the
// paper's Table 2):
//   0 k3_e1  1 k3_e1_g2  2 k3_e3  3 k3_e6  4 k5_e1  5 k5_e1_g2  6 k5_e3
//   7 k5_e6  8 skip
// k: the depthwise kernel; e: the expansion of the inverted residual; g2:
// its 1x1 convolutions in 2 groups with a channel shuffle between them;
// skip: no block (identity, or a 1x1 convolution where the shape changes,
// as facebook's builder). The first layer of a stage has the stage's stride.
//
// Options (defaults: a small layout for 28x28 inputs; the paper's ImageNet
// layout is stage_channels=[16,24,32,64,112,184,352],
// stage_repeats=[1,4,4,4,4,4,1], stage_strides=[1,2,2,2,1,2,1],
// stem_channels=16, stem_stride=2, head_channels=1984 — Table 1 and JunrQ
// blocks.py:144; Anna's code and facebook's fbnet_modeldef use 1504):
//   stage_channels, stage_repeats, stage_strides   per stage
//   stem_channels, stem_stride, head_channels       the network around them
//
// Tokens: one block choice per layer, 0..8 (the order above).
//
// Graph: one layer stack (role kLayers), as the spos space's: the input,
// vertex i + 1 for layer i (its in-edge carries the block), the output.

#include "spaces/search_space.h"

namespace spaces {

class FbnetSpace : public SearchSpace {
 public:
  // Throws OptionError for lists of different lengths or an odd channel
  // count (the g2 blocks split channels in two); the registry's option
  // ranges keep strides at 1 or 2.
  explicit FbnetSpace(Params params);

  std::string cell_name(int cell) const override;
  std::string describe_decision(std::size_t position) const override;
  ArchGraph decode(const Arch& arch) const override;
  Arch encode(const ArchGraph& graph) const override;
  // 9^L.
  BigCount size() const override;

  // The nine blocks' names, in token order.
  static const std::vector<std::string>& block_names();
  // A block's depthwise kernel (3 or 5), expansion (1, 3 or 6) and groups
  // of its 1x1 convolutions (1 or 2); skip: kernel 0.
  struct Block {
    std::int64_t kernel = 0, expansion = 0, groups = 1;
    bool skip() const { return kernel == 0; }
  };
  static Block block(std::int64_t token);

  int num_layers() const { return static_cast<int>(stage_of_layer_.size()); }
  int stage_of(int layer) const { return stage_of_layer_.at(static_cast<std::size_t>(layer)); }
  bool first_of_stage(int layer) const;
  // Input and output channels and stride of searched layer `layer`.
  std::int64_t layer_in(int layer) const;
  std::int64_t layer_out(int layer) const;
  std::int64_t layer_stride(int layer) const;
  std::int64_t stem_channels() const { return stem_channels_; }
  std::int64_t stem_stride() const { return stem_stride_; }
  std::int64_t head_channels() const { return head_channels_; }

 private:
  std::vector<int> stage_of_layer_;
  std::vector<std::int64_t> stage_channels_, stage_strides_;
  std::int64_t stem_channels_ = 0, stem_stride_ = 1, head_channels_ = 0;
};

}  // namespace spaces
