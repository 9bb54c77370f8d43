#include "spaces/completions.h"

#include <gtest/gtest.h>

#include <set>

#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace spaces {
namespace {

// PNAS's stage 1: 2 inputs x 8 ops for each of a block's two pairs = 256
// sequences; swapping the pairs gives the same cell, so 16 * 17 / 2 = 136
// distinct cells (the paper's |B_1| = 136).
TEST(Completions, OneBlockPnasCellsAre256SequencesAnd136DistinctCells) {
  const SpacePtr space = make_space("pnas(blocks=1)");
  EXPECT_EQ(space->size(), BigCount(256));
  const std::vector<Arch> cells = distinct_completions(*space, {});
  EXPECT_EQ(cells.size(), 136u);
  std::set<std::uint64_t> hashes;
  for (const Arch& cell : cells) {
    EXPECT_TRUE(space->is_valid(cell));
    hashes.insert(space->canonical_hash(cell));
  }
  EXPECT_EQ(hashes.size(), cells.size());
}

// Every legal one-block extension of a cell, once: against a brute force
// over all 4-token suffixes that validate().
TEST(Completions, ExpansionYieldsEveryLegalChildOnce) {
  const SpacePtr small = make_space("pnas(blocks=2)"), big = make_space("pnas(blocks=3)");
  Rng rng(7);
  for (int trial = 0; trial < 4; ++trial) {
    const Arch parent = small->random(rng);
    const std::vector<Arch> children = distinct_completions(*big, parent.tokens);
    std::set<std::uint64_t> expected;
    for (std::int64_t i1 = 0; i1 < 8; ++i1) {
      for (std::int64_t i2 = 0; i2 < 8; ++i2) {
        for (std::int64_t o1 = 0; o1 < 8; ++o1) {
          for (std::int64_t o2 = 0; o2 < 8; ++o2) {
            std::vector<std::int64_t> tokens = parent.tokens;
            tokens.insert(tokens.end(), {i1, i2, o1, o2});
            const Arch child = big->make_arch(tokens);
            if (big->is_valid(child)) expected.insert(big->canonical_hash(child));
          }
        }
      }
    }
    std::set<std::uint64_t> got;
    for (const Arch& child : children) {
      EXPECT_TRUE(std::equal(parent.tokens.begin(), parent.tokens.end(), child.tokens.begin()));
      EXPECT_TRUE(got.insert(big->canonical_hash(child)).second) << "a child twice";
    }
    EXPECT_EQ(got, expected);
  }
}

TEST(Completions, ASharedSeenSetDeduplicatesAcrossParents) {
  const SpacePtr one = make_space("pnas(blocks=1)"), two = make_space("pnas(blocks=2)");
  std::unordered_set<std::uint64_t> seen;
  std::size_t total = 0, separate = 0;
  for (const Arch& parent : distinct_completions(*one, {})) {
    total += distinct_completions(*two, parent.tokens, seen).size();
    separate += distinct_completions(*two, parent.tokens).size();
  }
  EXPECT_EQ(total, seen.size());
  EXPECT_LT(total, separate);  // the same two-block cell grows from more than one parent
}

// Random draws of new canonical classes: distinct, outside `seen`, added to
// it; a space with fewer classes than asked gives what it has.
TEST(Completions, DistinctRandomDrawsOnlyNewClassesAndStopsOnAnExhaustedSpace) {
  const auto space = make_space("pnas(blocks=1)");
  Rng rng(3);
  std::unordered_set<std::uint64_t> seen;
  const std::vector<Arch> first = distinct_random(*space, 50, seen, rng);
  ASSERT_EQ(first.size(), 50u);
  EXPECT_EQ(seen.size(), 50u);
  const std::vector<Arch> rest = distinct_random(*space, 500, seen, rng);
  EXPECT_LE(rest.size(), 136u - 50u);
  EXPECT_GT(rest.size(), 50u);
  EXPECT_EQ(seen.size(), 50u + rest.size());
  std::unordered_set<std::uint64_t> classes;
  for (const Arch& arch : first) classes.insert(space->canonical_hash(arch));
  for (const Arch& arch : rest) EXPECT_TRUE(classes.insert(space->canonical_hash(arch)).second);
}

TEST(Completions, RejectsBadPrefixesAndRunawayWalks) {
  const SpacePtr space = make_space("pnas(blocks=1)");
  EXPECT_THROW(distinct_completions(*space, std::vector<std::int64_t>{0, 0, 0, 0, 0}), InvalidArchError);
  EXPECT_THROW(distinct_completions(*space, std::vector<std::int64_t>{2}), InvalidArchError);
  EXPECT_THROW(distinct_completions(*space, {}, 100), std::length_error);
}

}  // namespace
}  // namespace spaces
