#pragma once
// enas_macro: the ENAS macro space (Pham et al. 2018, whole-network
// search). Per layer i (0-based): one op token (0 conv_3x3, 1 sep_conv_3x3,
// 2 conv_5x5, 3 sep_conv_5x5, 4 avg_pool_3x3, 5 max_pool_3x3), then i skip
// bits, as in ENAS's general_child.py. Layer i applies its op to its
// predecessor (layer i-1, or the stem for layer 0); skip bit j adds
// prev_layers[j], where prev_layers = [stem, layer 0, ..., layer i-1], so
// bit 0 is the stem and bit j the output of layer j-1 (the predecessor
// itself has no bit). Outputs and skips are summed, as in ENAS's search.
//
// Graph: one CellGraph of role kLayers; vertex 0 the stem output, vertex
// i+1 layer i, the last vertex the network output (fed by the last layer).

#include "spaces/search_space.h"

namespace spaces {

class EnasMacroSpace : public SearchSpace {
 public:
  explicit EnasMacroSpace(Params params);

  std::string cell_name(int cell) const override;
  // "layer 3 op", "layer 3 skip from stem", "layer 3 skip from layer 1"
  std::string describe_decision(std::size_t position) const override;
  ArchGraph decode(const Arch& arch) const override;
  Arch encode(const ArchGraph& graph) const override;
  // 6^L * 2^(L(L-1)/2)
  BigCount size() const override;

  int layers() const { return layers_; }
  // Token position of layer i's op; its skip bit j follows at +1+j.
  std::size_t op_position(int layer) const;

 private:
  int layers_;
};

}  // namespace spaces
