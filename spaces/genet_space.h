#pragma once
// genet: Genetic CNN stages (Xie & Yuille 2017, "Genetic CNN"). Stage s has
// K_s ordinary nodes; one bit per node pair (i, j), i < j, ordered as in the
// paper: (1,2), (1,3), (2,3), (1,4), ... ; its "code" text form writes the
// groups of each target node apart with dashes, stages apart with spaces:
// "1-01 1-00-111".
//
// Decoding applies the paper's rules: an isolated node is dropped; the
// default input node (a convolution of the stage input) feeds every node
// without a predecessor; every node without a successor feeds the default
// output node, which sums and convolves. A stage whose bits are all zero is
// a single convolution (default input node straight to the output, no
// second convolution), as in the paper.
//
// Graph per stage (role kStage, combine kSum): vertex 0 the stage input,
// vertex 1 the default input node ("node 0"), then the kept ordinary nodes
// in order ("node k", NodeInfo::index = k), last the default output node.
// Every computing node has node_op "conv_3x3" (conv-BN-ReLU); edges are
// plain connections.

#include "spaces/search_space.h"

namespace spaces {

class GenetSpace : public SearchSpace {
 public:
  explicit GenetSpace(Params params);

  std::string cell_name(int cell) const override;
  ArchGraph decode(const Arch& arch) const override;
  Arch encode(const ArchGraph& graph) const override;
  using SearchSpace::to_string;
  std::vector<std::string> formats() const override { return {"code", "arc"}; }
  std::string to_string(const Arch& arch, const std::string& format) const override;
  // 2^(sum over stages of K_s(K_s-1)/2)
  BigCount size() const override;
  std::vector<std::pair<std::string, BigCount>> size_parts() const override;

  const std::vector<int>& nodes_per_stage() const { return nodes_; }

 protected:
  Arch parse_text(const std::string& text) const override;

 private:
  std::size_t stage_offset(int stage) const;
  std::vector<int> nodes_;
};

}  // namespace spaces
