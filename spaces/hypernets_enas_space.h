#pragma once
// hyper_enas_micro: Hypernets' ENAS-micro hyper-space
// (hypernets/frameworks/keras/enas_micro.py, enas_micro_search_space(arch,
// init_filters, node_num), @744002f), on the cell grammar of the ENAS
// micro space. Unlike ENAS, every cell of the `arch` string ('N' normal,
// 'R' reduction, e.g. "NRNR") has its own choices. Per node, in Hypernets'
// order: the two InputChoices (0 = the cell two back, 1 = the previous
// cell, 2 + k = node k), then the two ModuleChoices over Hypernets' ops,
// in its order: 0 sep_conv_5x5, 1 sep_conv_3x3, 2 avg_pool_3x3,
// 3 max_pool_3x3, 4 identity. A cell's output concatenates its nodes that
// no other node consumes (ConnectLooseEnd; cell inputs are never in it).
// Its network is childnets/hypernets_enas_network.h.

#include <string>

#include "spaces/cell_space.h"

namespace spaces {

class HypernetsEnasSpace : public CellSpace {
 public:
  // Throws OptionError for an `arch` that is empty or has a letter other than N and R.
  explicit HypernetsEnasSpace(Params params);
  // "cell 2 (R)".
  std::string cell_name(int cell) const override;
  std::vector<std::string> formats() const override { return {"arc"}; }
  // The cell types, one letter each ("NR").
  const std::string& cell_types() const { return arch_; }

 private:
  std::string arch_;
};

}  // namespace spaces
