// pnas: the PNAS cell (Liu et al. 2018, "Progressive Neural Architecture
// Search"): B blocks, each combining two (input, op) pairs by addition; one
// cell serves as both normal and reduction cell (stride 2 at reductions).
// Tokens per block:  input_1 input_2 op_1 op_2  (the order the PNAS
// surrogate reads). Inputs are the two previous cells' outputs (0, 1) and
// earlier blocks (2..); only unconsumed blocks are concatenated.

#include "spaces/cell_space.h"
#include "spaces/registry.h"

namespace spaces {
namespace {

const std::vector<std::string> kPnasOps = {"sep_conv_3x3", "sep_conv_5x5", "sep_conv_7x7", "dil_conv_3x3",
                                           "conv_1x7_7x1", "avg_pool_3x3", "max_pool_3x3", "identity"};

}  // namespace

REGISTER_SPACE(pnas, "PNAS: one cell of B blocks, two (input, op) pairs each, 8 ops",
               {ParamSpec{"blocks", std::int64_t{5}, "blocks per cell (B)", 1, 12}}, [](const Params& params) {
                 CellLayout layout;
                 layout.ops = kPnasOps;
                 layout.cells = {CellRole::kNormalAndReduction};
                 layout.nodes = static_cast<int>(params.get_int("blocks"));
                 layout.order = TokenOrder::kInputsThenOps;
                 layout.output = OutputRule::kLooseEndNodes;
                 return std::make_shared<const CellSpace>("pnas", params, layout);
               });

}  // namespace spaces
