#include "spaces/enas_macro_space.h"

#include <gtest/gtest.h>

#include <sstream>

#include "spaces/infra/errors.h"
#include "spaces/presets.h"
#include "spaces/registry.h"
#include "tests/spaces/brute_force.h"

namespace spaces {
namespace {

TEST(EnasMacroSpace, PublishedFinalArcParsesAndRoundTrips) {
  const SpacePtr space = make_space("enas_macro(layers=24)");
  ASSERT_EQ(space->num_tokens(), 300u);
  const Arch arch = space->parse(find_arch_preset("enas_macro_final")->text);
  EXPECT_EQ(space->to_string(arch), find_arch_preset("enas_macro_final")->text);
  EXPECT_EQ(space->encode(space->decode(arch)), arch);
}

TEST(EnasMacroSpace, SkipBitZeroIsTheStemAndThePredecessorHasNoBit) {
  const SpacePtr space = make_space("enas_macro(layers=3)");
  // layer 0: conv_3x3; layer 1: sep_conv_3x3, skip from stem; layer 2: max_pool, skip from layer 0 only
  std::ostringstream text;
  describe(text, space->decode(space->parse("0  1 1  5 0 1")));
  EXPECT_EQ(text.str(),
            "layers:\n"
            "  layer 0 = conv_3x3(stem)\n"
            "  layer 1 = sep_conv_3x3(layer 0) + stem\n"
            "  layer 2 = max_pool_3x3(layer 1) + layer 0\n"
            "  output = layer 2\n");
}

TEST(EnasMacroSpace, SizeMatchesTheClosedForm) {
  for (std::uint64_t L = 1; L <= 24; ++L) {
    EXPECT_EQ(make_space("enas_macro(layers=" + std::to_string(L) + ")")->size(),
              BigCount::power(BigCount(6), L) * BigCount::power(BigCount(2), L * (L - 1) / 2));
  }
  EXPECT_EQ(make_space("enas_macro")->size().to_string(), "160618186625454535808756219904");
}

TEST(EnasMacroSpace, SizeMatchesBruteForceEnumeration) {
  for (int L = 1; L <= 4; ++L) {
    const SpacePtr space = make_space("enas_macro(layers=" + std::to_string(L) + ")");
    const std::vector<std::int64_t> zeros(space->num_tokens(), 0);
    EXPECT_EQ(BigCount(testing::count_valid_by_brute_force(*space, zeros, 0, space->num_tokens())), space->size());
  }
}

TEST(EnasMacroSpace, RejectsSkipBitsOtherThanZeroOrOne) {
  const SpacePtr space = make_space("enas_macro(layers=2)");
  try {
    space->parse("0 1 2");
    FAIL();
  } catch (const InvalidArchError& e) {
    EXPECT_EQ(e.position(), 2u);
    EXPECT_EQ(e.legal_max(), 1);
    EXPECT_NE(std::string(e.what()).find("layer 1 skip from stem"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace spaces

namespace spaces {
namespace {

TEST(EnasMacroSpace, ErrorsNameLayersAsTheSpaceNumbersThem) {
  const SpacePtr space = make_space("enas_macro(layers=3)");
  try {
    space->parse("0 1 7 0 0 1");
    FAIL();
  } catch (const InvalidArchError& e) {
    EXPECT_NE(std::string(e.what()).find("(layer 1 skip from stem)"), std::string::npos) << e.what();
  }
  try {
    space->parse("0 1 0 9 0 1");
    FAIL();
  } catch (const InvalidArchError& e) {
    EXPECT_NE(std::string(e.what()).find("(layer 2 op)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace spaces
