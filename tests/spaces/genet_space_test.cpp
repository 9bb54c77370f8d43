#include "spaces/genet_space.h"

#include <gtest/gtest.h>

#include <sstream>

#include "spaces/infra/errors.h"
#include "spaces/registry.h"
#include "tests/spaces/brute_force.h"

namespace spaces {
namespace {

std::string describe_text(const SearchSpace& space, const std::string& code) {
  std::ostringstream text;
  describe(text, space.decode(space.parse(code)));
  return text.str();
}

TEST(GenetSpace, CodeNotationOrdersBitsAsThePaper) {
  const SpacePtr space = make_space("genet(stages=[4])");
  // "1-00-111": (1,2)=1, (1,3)=0, (2,3)=0, (1,4)=(2,4)=(3,4)=1
  const Arch arch = space->parse("1-00-111");
  EXPECT_EQ(arch.tokens, (std::vector<std::int64_t>{1, 0, 0, 1, 1, 1}));
  EXPECT_EQ(space->to_string(arch), "1-00-111");
  EXPECT_EQ(space->to_string(arch, "arc"), "1 0 0 1 1 1");
}

TEST(GenetSpace, DefaultInputFeedsNodesWithoutPredecessorsAndOutputSumsNodesWithoutSuccessors) {
  const SpacePtr space = make_space("genet(stages=[4])");
  EXPECT_EQ(describe_text(*space, "1-00-111"),
            "stage 1:\n"
            "  node 0 = conv_3x3(input)\n"
            "  node 1 = conv_3x3(node 0)\n"
            "  node 2 = conv_3x3(node 1)\n"
            "  node 3 = conv_3x3(node 0)\n"
            "  node 4 = conv_3x3(node 1 + node 2 + node 3)\n"
            "  node 5 = conv_3x3(node 4)\n");
}

TEST(GenetSpace, IsolatedNodesAreDropped) {
  const SpacePtr space = make_space("genet(stages=[3])");
  // (1,3) only: node 2 is isolated
  const std::string cells = describe_text(*space, "0-10");
  EXPECT_EQ(cells.find("node 2"), std::string::npos) << cells;
  EXPECT_NE(cells.find("node 3 = conv_3x3(node 1)"), std::string::npos) << cells;
}

TEST(GenetSpace, AnAllZeroStageIsOneConvolution) {
  const SpacePtr space = make_space("genet(stages=[3])");
  EXPECT_EQ(describe_text(*space, "0-00"),
            "stage 1:\n"
            "  node 0 = conv_3x3(input)\n"
            "  node 4 = node 0\n");
}

TEST(GenetSpace, EquivalentStagesShareACanonicalHash) {
  const SpacePtr space = make_space("genet(stages=[3])");
  // A single edge between any two nodes is the same two-convolution chain.
  EXPECT_EQ(space->canonical_hash(space->parse("1-00")), space->canonical_hash(space->parse("0-10")));
  EXPECT_EQ(space->canonical_hash(space->parse("1-00")), space->canonical_hash(space->parse("0-01")));
  EXPECT_NE(space->canonical_hash(space->parse("1-00")), space->canonical_hash(space->parse("1-01")));
}

TEST(GenetSpace, SizeMatchesBruteForceEnumeration) {
  for (const char* spec : {"genet(stages=[2])", "genet(stages=[4])", "genet(stages=[3,4])"}) {
    const SpacePtr space = make_space(spec);
    const std::vector<std::int64_t> zeros(space->num_tokens(), 0);
    EXPECT_EQ(BigCount(testing::count_valid_by_brute_force(*space, zeros, 0, space->num_tokens())), space->size())
        << spec;
  }
  EXPECT_EQ(make_space("genet")->size(), BigCount(1) * BigCount(1ULL << 19));  // 3 + 6 + 10 bits
}

TEST(GenetSpace, RejectsMalformedCodes) {
  const SpacePtr space = make_space("genet(stages=[3,4])");
  EXPECT_THROW(space->parse("1-01 1-00"), ArchParseError);        // stage 2 needs three groups
  EXPECT_THROW(space->parse("1-01 1-00-1111"), ArchParseError);   // group of the wrong length
  EXPECT_THROW(space->parse("1-02 1-00-111"), ArchParseError);    // not a bit
  EXPECT_THROW(space->parse("1-01 1-00-111 1"), ArchParseError);  // too many stages
  EXPECT_THROW(space->parse("1-01"), ArchParseError);             // too few stages
  EXPECT_THROW(space->parse("1 0 1 1 0 0 1 1 2"), InvalidArchError);
}

TEST(GenetSpace, EncodeRefusesABackwardEdge) {
  const auto space = make_space("genet(stages=[3])");
  ArchGraph graph = space->decode(space->parse("1-01"));
  CellGraph& stage = graph.cells[0];
  // vertices: input, node 0, node 1, node 2, node 3, output; add node 3 -> node 1
  boost::add_edge(4, 2, EdgeInfo{-1, "identity", 0}, stage);
  EXPECT_THROW(space->encode(graph), ArchError);
}

}  // namespace
}  // namespace spaces

namespace spaces {
namespace {

TEST(GenetSpace, NegativeTokensGetTheRangeErrorAndEmptyGroupsAreRefused) {
  const SpacePtr space = make_space("genet(stages=[3])");
  EXPECT_THROW(space->parse("1 -1 0"), InvalidArchError);
  EXPECT_THROW(space->parse("1-01-"), ArchParseError);
  EXPECT_THROW(space->parse("1--01"), ArchParseError);
}

}  // namespace
}  // namespace spaces
