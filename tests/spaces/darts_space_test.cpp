#include <gtest/gtest.h>

#include "spaces/cell_space.h"
#include "spaces/infra/errors.h"
#include "spaces/presets.h"
#include "spaces/registry.h"
#include "tests/spaces/brute_force.h"

namespace spaces {
namespace {

TEST(DartsSpace, PublishedGenotypesParseAndPrintIdentically) {
  const SpacePtr space = make_space("darts");
  for (const std::string& genotype : {find_arch_preset("darts_v1")->text, find_arch_preset("darts_v2")->text}) {
    const Arch arch = space->parse(genotype);
    EXPECT_EQ(space->to_string(arch), genotype);
    EXPECT_EQ(space->parse(space->to_string(arch, "arc")), arch);
  }
}

TEST(DartsSpace, DartsV2NormalCellTokens) {
  const SpacePtr space = make_space("darts");
  const Arch arch = space->parse(find_arch_preset("darts_v2")->text);
  // op tokens index PRIMITIVES without 'none': sep_conv_3x3 = 3, skip_connect = 2, dil_conv_3x3 = 5
  const std::vector<std::int64_t> normal(arch.tokens.begin(), arch.tokens.begin() + 16);
  EXPECT_EQ(normal, (std::vector<std::int64_t>{0, 3, 1, 3, 0, 3, 1, 3, 1, 3, 0, 2, 0, 2, 2, 5}));
}

TEST(DartsSpace, AcceptsRangeConcatAndDoubleQuotes) {
  const SpacePtr space = make_space("darts(nodes=1)");
  const Arch arch = space->parse(
      "Genotype(normal=[(\"sep_conv_3x3\", 0), ('skip_connect', 1)], normal_concat=range(2, 3), "
      "reduce=[('max_pool_3x3', 1), ('max_pool_3x3', 0)], reduce_concat=[2])");
  EXPECT_EQ(arch.tokens, (std::vector<std::int64_t>{0, 3, 1, 2, 1, 0, 0, 0}));
}

TEST(DartsSpace, RejectsTwoEdgesFromTheSameInput) {
  const SpacePtr space = make_space("darts(nodes=1)");
  try {
    space->parse("0 3 0 2  0 0 1 0");
    FAIL();
  } catch (const InvalidArchError& e) {
    EXPECT_EQ(e.position(), 2u);
    EXPECT_NE(std::string(e.what()).find("excluding 0"), std::string::npos) << e.what();
  }
}

TEST(DartsSpace, RejectsUnknownOpsCyclesAndMissingFields) {
  const SpacePtr space = make_space("darts(nodes=1)");
  const std::string reduce = "reduce=[('max_pool_3x3', 1), ('max_pool_3x3', 0)], reduce_concat=[2])";
  EXPECT_THROW(space->parse("Genotype(normal=[('conv_9x9', 0), ('skip_connect', 1)], normal_concat=[2], " + reduce),
               ArchParseError);
  EXPECT_THROW(space->parse("Genotype(normal=[('none', 0), ('skip_connect', 1)], normal_concat=[2], " + reduce),
               ArchParseError);  // 'none' only with allow_none=true
  try {
    space->parse("Genotype(normal=[('sep_conv_3x3', 2), ('skip_connect', 1)], normal_concat=[2], " + reduce);
    FAIL();
  } catch (const ArchParseError& e) {
    EXPECT_NE(std::string(e.what()).find("cycle"), std::string::npos) << e.what();
  }
  EXPECT_THROW(space->parse("Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1)], " + reduce), ArchParseError);
  EXPECT_THROW(space->parse("Genotype(normal=[('sep_conv_3x3', 0)], normal_concat=[2], " + reduce), ArchParseError);
  EXPECT_THROW(
      space->parse("Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1)], normal_concat=[1, 2], " + reduce),
      ArchParseError);
}

TEST(DartsSpace, AllowNoneAddsTheZeroOpFirst) {
  const SpacePtr space = make_space("darts(allow_none=true)");
  EXPECT_EQ(space->op_names().front(), "none");
  EXPECT_EQ(space->op_names().size(), 8u);
}

TEST(DartsSpace, SizeMatchesBruteForceEnumeration) {
  for (int nodes = 1; nodes <= 2; ++nodes) {
    const auto space =
        std::dynamic_pointer_cast<const CellSpace>(make_space("darts(nodes=" + std::to_string(nodes) + ")"));
    const std::size_t per_cell = space->num_tokens() / 2;
    Rng rng(5);
    const Arch fixed = space->random(rng);
    EXPECT_EQ(BigCount(testing::count_valid_by_brute_force(*space, fixed.tokens, 0, per_cell)), space->cell_size());
    EXPECT_EQ(BigCount(testing::count_valid_by_brute_force(*space, fixed.tokens, per_cell, 2 * per_cell)),
              space->cell_size());
  }
  // Node j has (j+2)(j+1) ordered pairs of distinct inputs and 7^2 op pairs.
  EXPECT_EQ(std::dynamic_pointer_cast<const CellSpace>(make_space("darts"))->cell_size(),
            BigCount(2 * 1 * 49) * BigCount(3 * 2 * 49) * BigCount(4 * 3 * 49) * BigCount(5 * 4 * 49));
}

}  // namespace
}  // namespace spaces

namespace spaces {
namespace {

TEST(DartsSpace, ArchitecturesOfOtherOptionsAreRefused) {
  const SpacePtr plain = make_space("darts");
  const SpacePtr with_none = make_space("darts(allow_none=true)");
  Rng rng(2);
  const Arch arch = plain->random(rng);
  EXPECT_THROW(with_none->validate(arch), ArchError);  // same length, op tokens mean other ops
  EXPECT_THROW(with_none->decode(arch), ArchError);
}

TEST(DartsSpace, ImplausibleConcatRangesAndNegativeInputsAreParseErrors) {
  const SpacePtr space = make_space("darts(nodes=1)");
  EXPECT_THROW(
      space->parse("Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1)], normal_concat=range(0, 2000000000), "
                   "reduce=[('max_pool_3x3', 1), ('max_pool_3x3', 0)], reduce_concat=[2])"),
      ArchParseError);
  EXPECT_THROW(space->parse("Genotype(normal=[('sep_conv_3x3', -1), ('skip_connect', 1)], normal_concat=[2], "
                            "reduce=[('max_pool_3x3', 1), ('max_pool_3x3', 0)], reduce_concat=[2])"),
               ArchParseError);
}

}  // namespace
}  // namespace spaces
