#pragma once
// GenetNetwork: the Genetic CNN network. A stem (conv 3x3 -> BN, C
// channels), then one stage per space stage at C * 2^s channels: every
// computing node of the stage graph (the default input node, the kept
// ordinary nodes, the default output node) is conv 3x3 -> BN -> ReLU over
// the sum of its inputs. A 2x2 max pool follows every stage but the last;
// the classifier reads the last stage.

#include <vector>

#include "childnets/network_family.h"

namespace childnets {

class GenetNetwork : public NetworkFamily {
 public:
  GenetNetwork(const spaces::SpacePtr& space, const NetworkOptions& options);
  void declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const override;
  ChildOutput forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                      double drop_path) const override;

 private:
  NetworkOptions options_;
  std::vector<int> nodes_;  // K_s
};

}  // namespace childnets
