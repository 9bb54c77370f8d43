#pragma once
// MacroNetwork: the ENAS macro network. A stem (conv 3x3 -> BN, C
// channels), then the space's L layers: layer i computes
// BN(op(previous) + sum of its skip inputs), with op one of the library's
// ops at stride 1 (ENAS's branches, without their 1x1 pre-convolution).
// After layers L/3-1 and 2L/3-1 every earlier output that a later layer
// reads is factorized-reduced to twice the channels and half the
// resolution (ENAS's pool layers). Classifier on the last layer; with
// options.auxiliary(), an auxiliary head on the output of layer 2L/3-1
// after its pool (L >= 3).

#include <vector>

#include "childnets/network_family.h"

namespace childnets {

class MacroNetwork : public NetworkFamily {
 public:
  MacroNetwork(const spaces::SpacePtr& space, const NetworkOptions& options);
  void declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const override;
  ChildOutput forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                      double drop_path) const override;

 private:
  bool pool_after(int layer) const;
  bool has_auxiliary_head() const;
  // Vertices (0 = stem, i+1 = layer i) that a layer after `layer` reads.
  std::vector<int> read_after(const spaces::CellGraph& graph, int layer) const;

  NetworkOptions options_;
  std::vector<std::string> ops_;
  std::unique_ptr<WeightFreeOps> weight_free_;
  int layers_ = 0;
  std::vector<int> pool_layers_;
  std::vector<std::int64_t> channels_;  // per vertex
};

}  // namespace childnets
