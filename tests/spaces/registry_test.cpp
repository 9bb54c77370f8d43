#include "spaces/registry.h"

#include <gtest/gtest.h>

namespace spaces {
namespace {

TEST(SpaceRegistry, HoldsEverySpaceOfTheProject) {
  const std::vector<std::string> expected = {"darts", "enas_macro", "enas_micro", "fbnet",
                                             "genet", "hyper_cnn",  "hyper_dnn",  "hyper_enas_micro",
                                             "nao",   "pnas",       "spos"};
  EXPECT_EQ(space_registry().names(), expected);
}

TEST(SpaceRegistry, BuildsASpaceFromItsSpecString) {
  const SpacePtr space = make_space("enas_micro(nodes=3)");
  EXPECT_EQ(space->name(), "enas_micro");
  EXPECT_EQ(space->params().get_int("nodes"), 3);
  EXPECT_EQ(space->num_tokens(), 24u);
  EXPECT_EQ(space->spec(), "enas_micro(nodes=3)");
}

TEST(SpaceRegistry, NamesTheUnknownSpaceAndListsTheKnownOnes) {
  try {
    make_space("enas_mikro");
    FAIL();
  } catch (const OptionError& e) {
    EXPECT_STREQ(e.what(),
                 "unknown space 'enas_mikro' (known: darts, enas_macro, enas_micro, fbnet, genet, hyper_cnn, "
                 "hyper_dnn, hyper_enas_micro, nao, pnas, spos)");
  }
}

TEST(SpaceRegistry, NamesTheSpaceInOptionErrors) {
  try {
    make_space("enas_macro(layers=0)");
    FAIL();
  } catch (const OptionError& e) {
    EXPECT_STREQ(e.what(), "space 'enas_macro': option 'layers' is 0, must be in [1, 48]");
  }
  EXPECT_THROW(make_space("pnas(nodes=3)"), OptionError);
}

}  // namespace
}  // namespace spaces
