#include "spaces/fbnet_space.h"

#include <gtest/gtest.h>

#include <sstream>

#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace spaces {
namespace {

// FBNet's ImageNet layout (Table 1): 22 searched layers of 9 blocks, 9^22 architectures.
TEST(FbnetSpace, ThePapersLayoutHasTwentyTwoLayersOfNineBlocks) {
  const SpacePtr space = make_space(
      "fbnet(stage_channels=[16,24,32,64,112,184,352],stage_repeats=[1,4,4,4,4,4,1],stage_strides=[1,2,2,2,1,2,1],"
      "stem_channels=16,stem_stride=2,head_channels=1984)");
  EXPECT_EQ(space->num_tokens(), 22u);
  EXPECT_EQ(space->size(), BigCount::power(BigCount(9), 22));
  EXPECT_EQ(space->op_names(), (std::vector<std::string>{"k3_e1", "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1", "k5_e1_g2",
                                                         "k5_e3", "k5_e6", "skip"}));
  const auto& fbnet = dynamic_cast<const FbnetSpace&>(*space);
  // Layer 0: 16 -> 16 at stride 1; layer 1 opens the 24-channel stage at stride 2; layer 2 continues it.
  EXPECT_EQ(fbnet.layer_in(0), 16);
  EXPECT_EQ(fbnet.layer_out(0), 16);
  EXPECT_EQ(fbnet.layer_stride(0), 1);
  EXPECT_EQ(fbnet.layer_in(1), 16);
  EXPECT_EQ(fbnet.layer_out(1), 24);
  EXPECT_EQ(fbnet.layer_stride(1), 2);
  EXPECT_EQ(fbnet.layer_in(2), 24);
  EXPECT_EQ(fbnet.layer_stride(2), 1);
  EXPECT_EQ(fbnet.layer_stride(13), 1);  // the 112-channel stage keeps its resolution
  EXPECT_EQ(fbnet.layer_out(21), 352);
  EXPECT_EQ(fbnet.describe_decision(5), "layer 5 (stage 3) block");
}

TEST(FbnetSpace, BlocksDecodeToKernelExpansionAndGroups) {
  EXPECT_EQ(FbnetSpace::block(0).kernel, 3);
  EXPECT_EQ(FbnetSpace::block(1).groups, 2);
  EXPECT_EQ(FbnetSpace::block(3).expansion, 6);
  EXPECT_EQ(FbnetSpace::block(6).kernel, 5);
  EXPECT_EQ(FbnetSpace::block(6).expansion, 3);
  EXPECT_TRUE(FbnetSpace::block(8).skip());
  EXPECT_FALSE(FbnetSpace::block(7).skip());
  EXPECT_THROW(FbnetSpace::block(9), ArchError);
}

TEST(FbnetSpace, ALayerStackCarriesEachBlockOnItsEdgeAndRoundTrips) {
  const SpacePtr space =
      make_space("fbnet(stage_channels=[4,8],stage_repeats=[1,2],stage_strides=[1,2],stem_channels=4)");
  const Arch arch = space->parse("8 1 7");
  std::ostringstream out;
  describe(out, space->decode(arch));
  EXPECT_EQ(out.str(),
            "layers:\n"
            "  layer 0 = input\n"
            "  layer 1 = k3_e1_g2(layer 0)\n"
            "  layer 2 = k5_e6(layer 1)\n"
            "  output = layer 2\n");
  EXPECT_EQ(space->encode(space->decode(arch)), arch);
  EXPECT_NE(space->canonical_hash(arch), space->canonical_hash(space->parse("8 1 6")));
}

TEST(FbnetSpace, LayoutsItCannotBuildAreRefusedByName) {
  const auto refusal = [](const std::string& spec) {
    try {
      make_space(spec);
    } catch (const OptionError& e) {
      return std::string(e.what());
    }
    return std::string("not refused");
  };
  EXPECT_NE(refusal("fbnet(stage_channels=[4,8],stage_repeats=[1],stage_strides=[1,2])").find("one entry per stage"),
            std::string::npos);
  EXPECT_NE(refusal("fbnet(stage_channels=[4,8],stage_repeats=[1,1],stage_strides=[1,3])"), "not refused");
  EXPECT_NE(refusal("fbnet(stage_channels=[4,7],stage_repeats=[1,1],stage_strides=[1,2])").find("odd channel count 7"),
            std::string::npos);
  EXPECT_NE(refusal("fbnet(stage_channels=[4,8],stage_repeats=[1,1],stage_strides=[1,2],stem_channels=5)")
                .find("stem_channels 5 is odd"),
            std::string::npos);
}

}  // namespace
}  // namespace spaces
