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
//
// NetworkOptions::fixed_arc_form builds one architecture as ENAS's
// general_child.py builds a fixed arc (whole channels): each layer is
// ReLU-1x1-BN then ReLU-kxk-BN, a full convolution whatever the search
// called it (ops 1 and 3, separable in the search, are full 3x3 and 5x5;
// pools throw std::invalid_argument, which ENAS cannot build either);
// every layer after the first concatenates its skip inputs (in layer
// order) with that output and projects them back to C with ReLU-1x1-BN;
// a pool factorized-reduces every earlier output, stem included, with no
// ReLU first; the classifier pools the last output without a ReLU and has
// no bias. There is no auxiliary head (asking for one throws), as in
// ENAS, whose script passes one that the model drops.

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
  void declare_fixed_arc(ParameterStoreImpl& store, const spaces::CellGraph& graph) const;
  ChildOutput forward_fixed_arc(ParameterStoreImpl& store, const torch::Tensor& x,
                                const spaces::CellGraph& graph) const;
  bool has_auxiliary_head() const;
  // Vertices (0 = stem, i+1 = layer i) that a layer after `layer` reads.
  std::vector<int> read_after(const spaces::CellGraph& graph, int layer) const;

  NetworkOptions options_;
  bool fixed_arc_ = false;  // NetworkOptions::fixed_arc_form
  std::vector<std::string> ops_;
  std::unique_ptr<WeightFreeOps> weight_free_;
  int layers_ = 0;
  std::vector<int> pool_layers_;
  std::vector<std::int64_t> channels_;  // per vertex
};

}  // namespace childnets
