// darts: DARTS cells (Liu, Simonyan, Yang 2019, "DARTS: Differentiable
// Architecture Search"), the discrete architectures a DARTS search derives:
// 4 nodes, each with two edges from distinct predecessors, normal and
// reduction cell, output = concat of every node. The canonical text form is
// DARTS's Genotype(...). Op tokens index DARTS's PRIMITIVES without 'none'
// (a derived genotype never contains it): 0 max_pool_3x3 ... 6 dil_conv_5x5;
// with allow_none=true they index the full PRIMITIVES list, 'none' first.

#include "spaces/darts_space.h"

#include "spaces/cell_space.h"
#include "spaces/registry.h"

namespace spaces {

const std::vector<std::string>& darts_primitives() {
  static const std::vector<std::string> primitives = {"none",         "max_pool_3x3", "avg_pool_3x3", "skip_connect",
                                                      "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"};
  return primitives;
}

REGISTER_SPACE(darts, "DARTS: normal + reduction cell, 4 nodes of two edges from distinct inputs, 7 ops",
               (std::vector<ParamSpec>{ParamSpec{"nodes", std::int64_t{4}, "intermediate nodes per cell", 1, 12},
                                       ParamSpec{"allow_none", false, "include the 'none' (zero) op"}}),
               [](const Params& params) {
                 CellLayout layout;
                 layout.ops = darts_primitives();
                 if (!params.get_bool("allow_none")) layout.ops.erase(layout.ops.begin());
                 layout.cells = {CellRole::kNormal, CellRole::kReduction};
                 layout.nodes = static_cast<int>(params.get_int("nodes"));
                 layout.output = OutputRule::kAllNodes;
                 layout.distinct_inputs = true;
                 layout.genotype_first = true;
                 return std::make_shared<const CellSpace>("darts", params, layout);
               });

}  // namespace spaces
