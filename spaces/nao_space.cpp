// nao: the NAO search space (Luo et al. 2018, "Neural Architecture
// Optimization"): the ENAS micro grammar and arc strings, with NAO's op
// vocabularies. "enas" is the 5-op list of NAO-WS; "nao16" is NAO_V1's
// 16-index list (the 5 small ops, then identity, conv 1x1, conv 3x3,
// conv 1x3+3x1, conv 1x7+7x1, max pool 2/3/5, avg pool 2/3/5), in which
// identity and the 3x3 pools appear twice: their second names carry a
// "_large" suffix so every token has its own name, and decode maps both to
// the same function so canonical hashes treat them as one op.

#include "spaces/cell_space.h"
#include "spaces/registry.h"

namespace spaces {
namespace {

const std::vector<std::string> kNaoSmallOps = {"sep_conv_3x3", "sep_conv_5x5", "avg_pool_3x3", "max_pool_3x3",
                                               "identity"};
const std::vector<std::string> kNaoLargeOps = {
    "identity_large",     "conv_1x1",     "conv_3x3",     "conv_1x3_3x1",       "conv_1x7_7x1", "max_pool_2x2",
    "max_pool_3x3_large", "max_pool_5x5", "avg_pool_2x2", "avg_pool_3x3_large", "avg_pool_5x5"};

std::string without_large_suffix(const std::string& op) {
  const std::string suffix = "_large";
  return op.ends_with(suffix) ? op.substr(0, op.size() - suffix.size()) : op;
}

}  // namespace

REGISTER_SPACE(nao, "NAO: the ENAS micro grammar with NAO's op vocabulary (5 ops, or NAO_V1's 16)",
               (std::vector<ParamSpec>{
                   ParamSpec{"nodes", std::int64_t{5}, "nodes per cell (B)", 1, 12},
                   ParamSpec{"ops", std::string("enas"), "op vocabulary: enas (5) or nao16", 0, 0, {"enas", "nao16"}}}),
               [](const Params& params) {
                 CellLayout layout;
                 layout.ops = kNaoSmallOps;
                 if (params.get_string("ops") == "nao16") {
                   layout.ops.insert(layout.ops.end(), kNaoLargeOps.begin(), kNaoLargeOps.end());
                 }
                 for (const auto& op : layout.ops) layout.op_functions.push_back(without_large_suffix(op));
                 layout.cells = {CellRole::kNormal, CellRole::kReduction};
                 layout.nodes = static_cast<int>(params.get_int("nodes"));
                 return std::make_shared<const CellSpace>("nao", params, layout);
               });

}  // namespace spaces
