#include "spaces/pasted_text.h"

#include <gtest/gtest.h>

#include "spaces/registry.h"

namespace spaces {
namespace {

TEST(PastedText, StripsWhatSurroundsTheArchitecture) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"0 1 2", "0 1 2"},
      {"  \"0 2 0 0\"\n", "0 2 0 0"},
      {"'0 2 0 0'", "0 2 0 0"},
      {"`0 2`", "0 2"},
      {"'''0 2'''", "0 2"},
      {"arc = \"0 2\"", "0 2"},
      {"fixed_arc: [0, 2]", "[0, 2]"},
      {"--fixed_arc \"0 2\"", "0 2"},
      {"--child_fixed_arc='0 2'", "0 2"},
      {"self.arc = '0 2',  # the best of epoch 150", "0 2"},
      {"genotype = Genotype(normal=[('a', 0)])", "Genotype(normal=[('a', 0)])"},
      {"PC_DARTS_cifar = genotypes.Genotype(normal=[('a', 0)]);", "Genotype(normal=[('a', 0)])"},
      {"0-01 1-001", "0-01 1-001"},  // a GeNet code: digits and dashes stay
      {"-1 2", "-1 2"},              // a negative token is no flag
      {"Genotype(normal=[('a', 0)]) # x", "Genotype(normal=[('a', 0)])"},
  };
  for (const auto& [pasted, expected] : cases) EXPECT_EQ(strip_pasted_context(pasted), expected) << pasted;
}

// The two texts of issue 13: a genotypes.py line and a shell-quoted ENAS arc.
TEST(PastedText, TheSpacesReadALineOfGenotypesPyAndAShellQuotedArc) {
  const std::string genotype =
      "Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 0), ('dil_conv_3x3', 1), "
      "('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 0), ('dil_conv_3x3', 1)], "
      "normal_concat=range(2, 6), reduce=[('sep_conv_5x5', 1), ('max_pool_3x3', 0), ('sep_conv_5x5', 1), "
      "('sep_conv_5x5', 2), ('sep_conv_3x3', 0), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('sep_conv_3x3', 2)], "
      "reduce_concat=range(2, 6))";
  const SpacePtr darts = make_space("darts");
  EXPECT_EQ(darts->parse("genotype = " + genotype), darts->parse(genotype));
  const std::string arc = "0 2 0 0 0 4 0 1 0 4 1 1 1 0 0 1 0 2 1 1 1 0 1 0 0 3 0 2 1 1 3 1 1 0 0 4 0 3 1 1";
  const SpacePtr enas = make_space("enas_micro");
  EXPECT_EQ(enas->parse("\"" + arc + "\""), enas->parse(arc));
}

}  // namespace
}  // namespace spaces
