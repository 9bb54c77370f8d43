#include "spaces/cell_graph.h"

#include <gtest/gtest.h>

#include <sstream>

#include "spaces/registry.h"

namespace spaces {
namespace {

TEST(CellGraph, CanonicalHashIgnoresNodeNumbering) {
  const SpacePtr space = make_space("enas_micro(nodes=2)");
  // Two independent nodes in either order: node 2 = sep3(in0)+sep3(in1), node 3 = max(in0)+max(in1).
  const Arch a = space->parse("0 0 1 0 0 3 1 3  0 0 0 0 0 0 0 0");
  const Arch b = space->parse("0 3 1 3 0 0 1 0  0 0 0 0 0 0 0 0");
  EXPECT_NE(a, b);
  EXPECT_EQ(space->canonical_hash(a), space->canonical_hash(b));
  // Different ops: a different function.
  const Arch c = space->parse("0 3 1 3 0 1 1 0  0 0 0 0 0 0 0 0");
  EXPECT_NE(space->canonical_hash(a), space->canonical_hash(c));
}

TEST(CellGraph, CanonicalHashSeparatesNormalFromReductionRoles) {
  const SpacePtr space = make_space("enas_micro(nodes=1)");
  const Arch a = space->parse("0 0 1 1  0 2 1 3");
  const Arch swapped_cells = space->parse("0 2 1 3  0 0 1 1");
  EXPECT_NE(space->canonical_hash(a), space->canonical_hash(swapped_cells));
}

TEST(CellGraph, LooseEndsAreTheUnconsumedVertices) {
  const SpacePtr space = make_space("enas_micro(nodes=2)");
  const CellGraph normal = space->decode(space->parse("1 0 1 1 2 0 1 4  0 0 0 0 0 0 0 0")).cells[0];
  EXPECT_EQ(loose_ends(normal), (std::vector<Vertex>{0, 3}));  // in0 and node 3
}

TEST(CellGraph, DotExportHasEveryVertexAndLabelledOps) {
  const SpacePtr space = make_space("enas_micro(nodes=1)");
  std::ostringstream dot;
  write_dot(dot, space->decode(space->parse("0 0 1 4  1 3 0 2")));
  const std::string text = dot.str();
  EXPECT_EQ(text.rfind("digraph", 0), 0u) << text;
  for (const char* needle :
       {"c0_v0", "c0_v3", "c1_v2", "sep_conv_3x3", "max_pool_3x3", "avg_pool_3x3", "reduction cell\\nnode 2"}) {
    EXPECT_NE(text.find(needle), std::string::npos) << needle << " missing in\n" << text;
  }
}

}  // namespace
}  // namespace spaces
