#include "spaces/genotype_format.h"

#include <gtest/gtest.h>

#include "spaces/infra/errors.h"

namespace spaces {
namespace {

TEST(GenotypeFormat, PrintsAsDartsDoes) {
  Genotype g;
  g.normal = {{{"sep_conv_3x3", 0}, {"skip_connect", 1}}, {2}};
  g.reduce = {{{"max_pool_3x3", 1}, {"max_pool_3x3", 0}}, {2}};
  EXPECT_EQ(print_genotype(g),
            "Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1)], normal_concat=[2], "
            "reduce=[('max_pool_3x3', 1), ('max_pool_3x3', 0)], reduce_concat=[2])");
}

TEST(GenotypeFormat, ParsesWhitespaceTrailingCommasAndAnyFieldOrder) {
  const Genotype g = parse_genotype(
      "Genotype(\n reduce = [ ('avg_pool_3x3', 1) , ],\n reduce_concat=range(2, 4),\n"
      " normal=[('a', 0), ('b', 1),], normal_concat=[2,3],)",
      "s");
  ASSERT_EQ(g.normal.edges.size(), 2u);
  EXPECT_EQ(g.normal.edges[1], (std::pair<std::string, int>{"b", 1}));
  EXPECT_EQ(g.reduce.concat, (std::vector<int>{2, 3}));
  EXPECT_TRUE(looks_like_genotype("  Genotype(...)"));
  EXPECT_FALSE(looks_like_genotype("0 1 2"));
}

// The edge lists of other DARTS-family code bases: edges grouped per node,
// in [ ] rather than ( ), the list itself in ( ), a weight after the input.
TEST(GenotypeFormat, ReadsTheEdgeListsOfOtherDartsFamilyCodeBases) {
  const std::string flat =
      "Genotype(normal=[('a', 0), ('b', 1), ('c', 2), ('d', 0)], normal_concat=[2, 3], "
      "reduce=[('e', 1), ('f', 0), ('g', 2), ('h', 1)], reduce_concat=range(2, 4))";
  const Genotype expected = parse_genotype(flat, "s");
  for (const std::string& text : {
           std::string("Genotype(normal=[(('a', 0), ('b', 1)), (('c', 2), ('d', 0))], normal_concat=[2, 3], "
                       "reduce=[(('e', 1), ('f', 0)), (('g', 2), ('h', 1))], reduce_concat=[2, 3])"),
           std::string("Genotype(normal=[[['a', 0], ['b', 1]], [['c', 2], ['d', 0]]], normal_concat=[2, 3], "
                       "reduce=[['e', 1], ['f', 0], ['g', 2], ['h', 1]], reduce_concat=[2, 3])"),
           std::string("Genotype(normal=(('a', 0, 0.61), ('b', 1, 0.2), ('c', 2, 1.0), ('d', 0, 1e-1)), "
                       "normal_concat=[2, 3], reduce=[(\"e\", 1), (\"f\", 0), (\"g\", 2), (\"h\", 1),], "
                       "reduce_concat=[2, 3])")}) {
    const Genotype g = parse_genotype(text, "s");
    EXPECT_EQ(g.normal.edges, expected.normal.edges) << text;
    EXPECT_EQ(g.reduce.edges, expected.reduce.edges) << text;
    EXPECT_EQ(g.normal.concat, expected.normal.concat) << text;
  }
}

TEST(GenotypeFormat, NamesWhatIsMalformed) {
  auto message = [](const std::string& text) {
    try {
      parse_genotype(text, "darts");
    } catch (const ArchParseError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message("Genotype(normal=[('a', 0)], normal_concat=[2], reduce=[])").find("missing field 'reduce_concat'"),
            std::string::npos);
  EXPECT_NE(message("Genotype(normal=[('a', x)])").find("expected an integer"), std::string::npos);
  EXPECT_NE(message("Genotype(normal=[('a, 0)])").find("unterminated op name"), std::string::npos);
  EXPECT_NE(message("Genotype(colour=[])").find("unknown field 'colour'"), std::string::npos);
  EXPECT_NE(message("Genotype(normal=[], normal_concat=[], reduce=[], reduce_concat=[]) x").find("after the closing"),
            std::string::npos);
  EXPECT_NE(message("Genotype(normal=[], normal=[])").find("given twice"), std::string::npos);
  EXPECT_NE(message("").find("darts: genotype"), std::string::npos);
}

}  // namespace
}  // namespace spaces
