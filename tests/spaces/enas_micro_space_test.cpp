#include <gtest/gtest.h>

#include <sstream>

#include "spaces/cell_space.h"
#include "spaces/infra/errors.h"
#include "spaces/presets.h"
#include "spaces/registry.h"
#include "tests/spaces/brute_force.h"

namespace spaces {
namespace {

BigCount factorial(std::uint64_t n) {
  BigCount f(1);
  for (std::uint64_t k = 2; k <= n; ++k) f *= BigCount(k);
  return f;
}

TEST(EnasMicroSpace, PublishedFinalArcParsesAndRoundTrips) {
  const SpacePtr space = make_space("enas_micro");
  const Arch arch = space->parse(find_arch_preset("enas_micro_final")->text);
  EXPECT_EQ(space->to_string(arch), find_arch_preset("enas_micro_final")->text);
  EXPECT_EQ(space->parse(space->to_string(arch, "genotype")), arch);
}

TEST(EnasMicroSpace, DecodesThePublishedNormalCellAsEnasDoes) {
  const SpacePtr space = make_space("enas_micro");
  std::ostringstream text;
  describe(text, space->decode(space->parse(find_arch_preset("enas_micro_final")->text)));
  const std::string cells = text.str();
  // Node 2 takes (0, avg_pool) and (0, sep_conv_3x3); in1 of the normal cell
  // is consumed, in0 too, so the concat holds the five nodes.
  EXPECT_NE(cells.find("node 2 = avg_pool_3x3(in0) + sep_conv_3x3(in0)"), std::string::npos) << cells;
  EXPECT_NE(cells.find("output = concat(node 2, node 3, node 4, node 5, node 6)"), std::string::npos) << cells;
  // In the reduction cell node 3 is consumed by node 4, so it is not concatenated.
  EXPECT_NE(cells.find("output = concat(node 2, node 4, node 5, node 6)"), std::string::npos) << cells;
}

TEST(EnasMicroSpace, UnusedCellInputsJoinTheConcat) {
  const SpacePtr space = make_space("enas_micro(nodes=1)");
  // Both cells: node 2 = sep_conv_3x3(in1) + identity(in1); in0 is unused.
  const ArchGraph graph = space->decode(space->parse("1 0 1 4 1 0 1 4"));
  const CellGraph& normal = graph.cells[0];
  std::vector<Vertex> concat;
  for (const Edge& e : inputs_by_slot(normal, output_vertex(normal))) concat.push_back(boost::source(e, normal));
  EXPECT_EQ(concat, (std::vector<Vertex>{0, 2}));
}

TEST(EnasMicroSpace, SizeMatchesTheClosedFormForEveryB) {
  for (int b = 1; b <= 8; ++b) {
    const auto space =
        std::dynamic_pointer_cast<const CellSpace>(make_space("enas_micro(nodes=" + std::to_string(b) + ")"));
    const BigCount cell = BigCount::power(factorial(b + 1) * BigCount::power(BigCount(5), b), 2);
    EXPECT_EQ(space->cell_size(), cell) << "B=" << b;
    EXPECT_EQ(space->size(), cell * cell) << "B=" << b;
  }
  EXPECT_EQ(make_space("enas_micro")->size().to_string(), "25628906250000000000000000");
}

TEST(EnasMicroSpace, SizeMatchesBruteForceEnumeration) {
  for (int b = 1; b <= 2; ++b) {
    const auto space =
        std::dynamic_pointer_cast<const CellSpace>(make_space("enas_micro(nodes=" + std::to_string(b) + ")"));
    const std::size_t per_cell = space->num_tokens() / 2;
    const std::vector<std::int64_t> fixed(space->num_tokens(), 0);  // all-zero is valid here
    const auto normal = testing::count_valid_by_brute_force(*space, fixed, 0, per_cell);
    const auto reduction = testing::count_valid_by_brute_force(*space, fixed, per_cell, 2 * per_cell);
    EXPECT_EQ(BigCount(normal), space->cell_size()) << "B=" << b;
    EXPECT_EQ(BigCount(reduction), space->cell_size()) << "B=" << b;
  }
}

TEST(EnasMicroSpace, OutOfRangeInputIndexNamesItsNodeAndRange) {
  const SpacePtr space = make_space("enas_micro(nodes=2)");
  try {
    space->parse("0 0 1 0 3 0 0 0  0 0 0 0 0 0 0 0");  // node 3 may take inputs 0..2
    FAIL();
  } catch (const InvalidArchError& e) {
    EXPECT_EQ(e.position(), 4u);
    EXPECT_EQ(e.legal_min(), 0);
    EXPECT_EQ(e.legal_max(), 2);
    EXPECT_STREQ(e.what(),
                 "enas_micro(nodes=2): token 4 (normal cell, node 3, input 1 input index) is 3, legal range [0, 2]");
  }
}

}  // namespace
}  // namespace spaces
