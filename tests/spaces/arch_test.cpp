#include "spaces/arch.h"

#include <gtest/gtest.h>

#include <unordered_set>

#include "spaces/infra/errors.h"

namespace spaces {
namespace {

TEST(SplitTokens, ReadsSpacesCommasAndBrackets) {
  EXPECT_EQ(split_tokens("0 2  1\t4", "s"), (std::vector<std::int64_t>{0, 2, 1, 4}));
  EXPECT_EQ(split_tokens("[0, 2, 1, 4]", "s"), (std::vector<std::int64_t>{0, 2, 1, 4}));
}

TEST(SplitTokens, NamesTheNonNumericTokenAndItsPosition) {
  try {
    split_tokens("0 2 x1 4", "enas_micro");
    FAIL() << "accepted a non-numeric token";
  } catch (const ArchParseError& e) {
    EXPECT_STREQ(e.what(), "enas_micro: token 2 is 'x1', not an integer");
  }
  EXPECT_THROW(split_tokens("1.5", "s"), ArchParseError);
}

TEST(SplitTokens, RejectsEmptyText) {
  EXPECT_THROW(split_tokens("", "s"), ArchParseError);
  EXPECT_THROW(split_tokens("  [ ] ", "s"), ArchParseError);
}

TEST(Arch, EqualityAndHashAreTokenExact) {
  const Arch a{"s", {1, 2, 3}};
  const Arch b{"s", {1, 2, 3}};
  const Arch c{"s", {1, 3, 2}};
  const Arch d{"t", {1, 2, 3}};
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
  std::unordered_set<Arch> set{a, b, c, d};
  EXPECT_EQ(set.size(), 3u);
  EXPECT_EQ(std::hash<Arch>{}(a), std::hash<Arch>{}(b));
  EXPECT_EQ(join_tokens(a.tokens), "1 2 3");
}

}  // namespace
}  // namespace spaces
