#include "spaces/hypernets_enas_space.h"

#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace spaces {
namespace {

CellLayout layout_of(const Params& params) {
  const std::string& arch = params.get_string("arch");
  CellLayout layout;
  layout.ops = {"sep_conv_5x5", "sep_conv_3x3", "avg_pool_3x3", "max_pool_3x3", "identity"};
  layout.nodes = static_cast<int>(params.get_int("nodes"));
  layout.order = TokenOrder::kInputsThenOps;
  layout.output = OutputRule::kLooseEndNodes;
  if (arch.empty()) throw OptionError("hyper_enas_micro: option 'arch' is empty; give cells as N and R, e.g. NRNR");
  for (char letter : arch) {
    if (letter != 'N' && letter != 'R') {
      throw OptionError(std::string("hyper_enas_micro: option 'arch' = ") + arch + ": '" + letter +
                        "' is neither N (normal cell) nor R (reduction cell)");
    }
    layout.cells.push_back(letter == 'N' ? CellRole::kNormal : CellRole::kReduction);
  }
  return layout;
}

}  // namespace

HypernetsEnasSpace::HypernetsEnasSpace(Params params)
    : CellSpace("hyper_enas_micro", params, layout_of(params)), arch_(params.get_string("arch")) {}

std::string HypernetsEnasSpace::cell_name(int cell) const {
  return "cell " + std::to_string(cell + 1) + " (" + arch_.at(static_cast<std::size_t>(cell)) + ")";
}

REGISTER_SPACE(hyper_enas_micro,
               "Hypernets' ENAS-micro hyper-space: a cell per letter of arch (N, R), each with its own nodes",
               {ParamSpec{"arch", std::string("NRNR"), "the cells, N normal and R reduction (Hypernets: NRNR)"},
                ParamSpec{"nodes", std::int64_t{4}, "nodes per cell (Hypernets' node_num: 4)", 1, 12}},
               [](const Params& params) { return std::make_shared<const HypernetsEnasSpace>(params); });

}  // namespace spaces
