#include <gtest/gtest.h>

#include "spaces/cell_space.h"
#include "spaces/infra/errors.h"
#include "spaces/registry.h"
#include "tests/spaces/brute_force.h"

namespace spaces {
namespace {

TEST(PnasSpace, ReadsBlocksAsInputsThenOps) {
  const SpacePtr space = make_space("pnas(blocks=2)");
  // block 0: inputs (1, 0), ops (sep_conv_7x7, identity); block 1: inputs (2, 1), ops (max_pool, conv_1x7_7x1)
  const ArchGraph graph = space->decode(space->parse("1 0 2 7 2 1 6 4"));
  ASSERT_EQ(graph.cells.size(), 1u);
  const CellGraph& cell = graph.cells[0];
  EXPECT_EQ(cell[boost::graph_bundle].role, CellRole::kNormalAndReduction);
  const auto block0 = inputs_by_slot(cell, 2);
  EXPECT_EQ(boost::source(block0[0], cell), 1u);
  EXPECT_EQ(cell[block0[0]].op_name, "sep_conv_7x7");
  EXPECT_EQ(boost::source(block0[1], cell), 0u);
  EXPECT_EQ(cell[block0[1]].op_name, "identity");
  const auto block1 = inputs_by_slot(cell, 3);
  EXPECT_EQ(cell[block1[0]].op_name, "max_pool_3x3");
  EXPECT_EQ(cell[block1[1]].op_name, "conv_1x7_7x1");
}

TEST(PnasSpace, ConcatenatesUnusedBlocksButNeverTheCellInputs) {
  const SpacePtr space = make_space("pnas(blocks=2)");
  // Neither block uses input 0; block 0 is consumed by block 1.
  const CellGraph cell = space->decode(space->parse("1 1 0 0 2 1 0 0")).cells[0];
  const auto concat = inputs_by_slot(cell, output_vertex(cell));
  ASSERT_EQ(concat.size(), 1u);
  EXPECT_EQ(boost::source(concat[0], cell), 3u);
}

TEST(PnasSpace, SizeMatchesBruteForceEnumeration) {
  for (int blocks = 1; blocks <= 2; ++blocks) {
    const auto space =
        std::dynamic_pointer_cast<const CellSpace>(make_space("pnas(blocks=" + std::to_string(blocks) + ")"));
    const std::vector<std::int64_t> zeros(space->num_tokens(), 0);
    EXPECT_EQ(BigCount(testing::count_valid_by_brute_force(*space, zeros, 0, space->num_tokens())), space->size());
  }
  // PNAS's |B_1| = 2*2*8*8 = 256 ordered one-block cells.
  EXPECT_EQ(make_space("pnas(blocks=1)")->size(), BigCount(256));
}

TEST(PnasSpace, HasOnlyTheArcFormat) {
  const SpacePtr space = make_space("pnas");
  EXPECT_EQ(space->formats(), std::vector<std::string>{"arc"});
  EXPECT_THROW(space->parse("Genotype(normal=[], normal_concat=[], reduce=[], reduce_concat=[])"), ArchParseError);
}

}  // namespace
}  // namespace spaces
