// enas_micro: ENAS convolutional cells (Pham et al. 2018, "Efficient Neural
// Architecture Search via Parameter Sharing", micro search space). Tokens
// are ENAS's published arc strings: per node  index_1 op_1 index_2 op_2,
// the normal cell's 4B tokens then the reduction cell's. Unconsumed
// vertices, cell inputs included, are concatenated into the output.

#include "spaces/cell_space.h"
#include "spaces/registry.h"

namespace spaces {
namespace {

const std::vector<std::string> kEnasMicroOps = {"sep_conv_3x3", "sep_conv_5x5", "avg_pool_3x3", "max_pool_3x3",
                                                "identity"};

}  // namespace

REGISTER_SPACE(enas_micro, "ENAS micro: normal + reduction cell, B nodes of two (input, op) pairs, 5 ops",
               {ParamSpec{"nodes", std::int64_t{5}, "nodes per cell (B)", 1, 12}}, [](const Params& params) {
                 CellLayout layout;
                 layout.ops = kEnasMicroOps;
                 layout.cells = {CellRole::kNormal, CellRole::kReduction};
                 layout.nodes = static_cast<int>(params.get_int("nodes"));
                 return std::make_shared<const CellSpace>("enas_micro", params, layout);
               });

}  // namespace spaces
