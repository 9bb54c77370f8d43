#include "spaces/spos_space.h"

#include <gtest/gtest.h>

#include <sstream>

#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace spaces {
namespace {

std::string describe_text(const SearchSpace& space, const std::string& text) {
  std::ostringstream out;
  describe(out, space.decode(space.parse(text)));
  return out.str();
}

// SPOS's ImageNet layout (network.py:13-14): 20 choice layers of 4 blocks.
TEST(SposSpace, ThePapersLayoutHasTwentyLayersOfFourBlocks) {
  const SpacePtr space =
      make_space("spos(stage_repeats=[4,4,8,4],stage_channels=[64,160,320,640],head_channels=1024,stem_stride=2)");
  EXPECT_EQ(space->num_tokens(), 20u);
  EXPECT_EQ(space->size(), BigCount::power(BigCount(4), 20));
  EXPECT_EQ(space->op_names(), (std::vector<std::string>{"shuffle_3x3", "shuffle_5x5", "shuffle_7x7", "xception"}));
  // The architecture its README reports (323 M FLOPs, 25.6 % top-1), as its tuple.
  const Arch arch = space->parse("(2, 1, 0, 1, 2, 0, 2, 0, 2, 0, 2, 3, 0, 0, 0, 0, 3, 2, 3, 3)");
  EXPECT_EQ(arch.tokens.front(), 2);
  EXPECT_EQ(arch.tokens.back(), 3);
  const auto& spos = dynamic_cast<const SposSpace&>(*space);
  EXPECT_TRUE(spos.first_of_stage(4));
  EXPECT_FALSE(spos.first_of_stage(5));
  EXPECT_EQ(spos.stage_of(8), 2);
}

TEST(SposSpace, ALayerStackCarriesEachBlockOnItsEdgeAndTheWidthOnItsNode) {
  const SpacePtr space =
      make_space("spos(stage_repeats=[1,2],stage_channels=[8,16],stem_channels=4,channel_search=true)");
  EXPECT_EQ(space->num_tokens(), 6u);  // 3 blocks, then 3 widths
  EXPECT_EQ(space->size(), BigCount::power(BigCount(4), 3) * BigCount::power(BigCount(8), 3));
  EXPECT_EQ(describe_text(*space, "3 0 1 4 7 0"),
            "layers:\n"
            "  layer 0 = xception(input)\n"
            "  layer 1 = shuffle_3x3(layer 0) at width x1.6\n"
            "  layer 2 = shuffle_5x5(layer 1) at width x0.2\n"
            "  output = layer 2\n");
  const Arch arch = space->parse("3 0 1 4 7 0");
  EXPECT_EQ(space->encode(space->decode(arch)), arch);
  EXPECT_EQ(space->describe_decision(4), "layer 1 (stage 2) width");
}

// Widths change the function, so they change the canonical hash; without
// channel search every layer is x1.0.
TEST(SposSpace, WidthsArePartOfTheCanonicalHash) {
  const SpacePtr space =
      make_space("spos(stage_repeats=[1,1],stage_channels=[8,16],stem_channels=4,channel_search=true)");
  EXPECT_NE(space->canonical_hash(space->parse("0 0 4 4")), space->canonical_hash(space->parse("0 0 4 5")));
  EXPECT_NE(space->canonical_hash(space->parse("0 0 4 4")), space->canonical_hash(space->parse("0 1 4 4")));
  const SpacePtr plain = make_space("spos(stage_repeats=[1,1],stage_channels=[8,16],stem_channels=4)");
  const ArchGraph graph = plain->decode(plain->parse("1 2"));
  EXPECT_EQ(graph.cells[0][1].width_multiplier, 1.0);
  EXPECT_EQ(plain->num_tokens(), 2u);
}

TEST(SposSpace, LayoutsThatBuildNoNetworkAreRefusedNamingTheStage) {
  const auto message = [](const std::string& spec) {
    try {
      make_space(spec);
    } catch (const OptionError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message("spos(stage_repeats=[1,1],stage_channels=[8])").find("stage_repeats has 2 stages"),
            std::string::npos);
  EXPECT_NE(message("spos(stage_repeats=[1,1],stage_channels=[32,16])").find("stage 2 has 16 channels"),
            std::string::npos);
  EXPECT_NE(message("spos(stage_repeats=[1],stage_channels=[33])").find("odd channel count 33"), std::string::npos);
  EXPECT_NE(message("spos(stem_channels=64,stage_repeats=[1],stage_channels=[32])").find("not more than the 64"),
            std::string::npos);
}

}  // namespace
}  // namespace spaces
