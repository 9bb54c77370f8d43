#include "spaces/cell_space.h"

#include <gtest/gtest.h>

#include "spaces/infra/errors.h"

namespace spaces {
namespace {

CellSpace make_layout_space(TokenOrder order) {
  CellLayout layout;
  layout.ops = {"a", "b", "c"};
  layout.cells = {CellRole::kNormal, CellRole::kReduction};
  layout.nodes = 3;
  layout.order = order;
  return CellSpace("test_cells", Params{}, layout);
}

TEST(CellSpace, TokenPositionsFollowTheLayout) {
  const CellSpace enas = make_layout_space(TokenOrder::kInputOpInputOp);
  EXPECT_EQ(enas.position(0, 0, 0, DecisionKind::kInputIndex), 0u);
  EXPECT_EQ(enas.position(0, 0, 0, DecisionKind::kOp), 1u);
  EXPECT_EQ(enas.position(0, 0, 1, DecisionKind::kInputIndex), 2u);
  EXPECT_EQ(enas.position(1, 2, 1, DecisionKind::kOp), 23u);
  const CellSpace pnas = make_layout_space(TokenOrder::kInputsThenOps);
  EXPECT_EQ(pnas.position(0, 1, 1, DecisionKind::kInputIndex), 5u);
  EXPECT_EQ(pnas.position(0, 1, 0, DecisionKind::kOp), 6u);
  for (std::size_t p = 0; p < pnas.num_tokens(); ++p) {
    const Decision& d = pnas.decisions()[p];
    EXPECT_EQ(pnas.position(d.cell, d.node - 2, d.slot, d.kind), p);
  }
}

TEST(CellSpace, DecisionsAllowEveryEarlierVertexAsInput) {
  const CellSpace space = make_layout_space(TokenOrder::kInputOpInputOp);
  for (const Decision& d : space.decisions()) {
    const std::int64_t expected = d.kind == DecisionKind::kInputIndex ? d.node : 3;
    EXPECT_EQ(d.num_choices, expected);
  }
}

TEST(CellSpace, EncodeRefusesAGraphOfTheWrongShape) {
  const CellSpace space = make_layout_space(TokenOrder::kInputOpInputOp);
  Rng rng(3);
  ArchGraph graph = space.decode(space.random(rng));
  graph.cells.pop_back();
  EXPECT_THROW(space.encode(graph), ArchError);
  graph = space.decode(space.random(rng));
  boost::add_edge(0, 3, EdgeInfo{0, "a", 2}, graph.cells[0]);  // a third input
  EXPECT_THROW(space.encode(graph), ArchError);
}

}  // namespace
}  // namespace spaces
