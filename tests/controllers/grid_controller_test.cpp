#include <gtest/gtest.h>

#include <set>

#include "controllers/controller.h"
#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

// A hyper-parameter space in miniature: a block count (ordinal: 1 or 2),
// then per block an op (category of 3) and a width (ordinal of 7); the
// second block's decisions are inactive (only 0 legal) when the count is 1.
class ToyHyperSpace : public spaces::SearchSpace {
 public:
  ToyHyperSpace() : SearchSpace("toy_hyper", {}) {
    decisions_.push_back({spaces::DecisionKind::kOrdinal, 2, 0, 0, 0});
    for (int block = 0; block < 2; ++block) {
      decisions_.push_back({spaces::DecisionKind::kCategory, 3, 0, block + 1, 0});
      decisions_.push_back({spaces::DecisionKind::kOrdinal, 7, 0, block + 1, 1});
    }
  }
  std::vector<bool> legal_choices(std::span<const std::int64_t> prefix) const override {
    const std::size_t i = prefix.size();
    std::vector<bool> legal(static_cast<std::size_t>(decisions_.at(i).num_choices), true);
    if (i >= 3 && prefix[0] == 0) {  // block 2 of 1
      legal.assign(legal.size(), false);
      legal[0] = true;
    }
    return legal;
  }
  // A chain whose nodes carry the tokens: distinct tokens, distinct hashes.
  spaces::ArchGraph decode(const spaces::Arch& arch) const override {
    validate(arch);
    const auto node = [](spaces::NodeKind kind, std::string name, std::string op) {
      spaces::NodeInfo info;
      info.kind = kind;
      info.name = std::move(name);
      info.node_op = std::move(op);
      return info;
    };
    spaces::CellGraph g;
    spaces::Vertex previous = boost::add_vertex(node(spaces::NodeKind::kCellInput, "in", ""), g);
    for (std::size_t i = 0; i < arch.tokens.size(); ++i) {
      const spaces::Vertex v =
          boost::add_vertex(node(spaces::NodeKind::kIntermediate, "t", std::to_string(arch.tokens[i])), g);
      boost::add_edge(previous, v, spaces::EdgeInfo{-1, "identity", 0}, g);
      previous = v;
    }
    const spaces::Vertex out = boost::add_vertex(node(spaces::NodeKind::kOutput, "output", ""), g);
    boost::add_edge(previous, out, spaces::EdgeInfo{-1, "identity", 0}, g);
    return {spec(), {g}};
  }
  spaces::Arch encode(const spaces::ArchGraph&) const override { throw std::logic_error("not used"); }
  spaces::BigCount size() const override { return spaces::BigCount(std::uint64_t{3 * 7 + 3 * 7 * 3 * 7}); }
};

std::vector<std::vector<std::int64_t>> run_to_end(Controller& controller, int per_update, int limit = 100000) {
  std::vector<std::vector<std::int64_t>> seen;
  while (!controller.finished() && static_cast<int>(seen.size()) < limit) {
    const auto proposals = controller.propose(per_update);
    std::vector<Feedback> feedback;
    for (const Proposal& p : proposals) {
      seen.push_back(p.arch.tokens);
      feedback.push_back({p.id, 0.5});
    }
    if (feedback.empty()) break;
    controller.observe(feedback);
  }
  return seen;
}

TEST(GridController, EnumeratesEveryDistinctArchitectureOfACategoricalSpaceInLexicographicOrder) {
  // Genetic CNN's bits are categorical: the grid is the whole space, one
  // architecture per canonical class (isolated nodes make duplicates).
  const auto space = spaces::make_space("genet(stages=[3,4])");
  auto grid = make_controller("grid", space, 1);
  const auto enumerated = run_to_end(*grid, 7);

  // Independently: every token sequence (9 bits), kept when its class is new.
  std::set<std::uint64_t> classes;
  std::vector<std::vector<std::int64_t>> expected;
  for (std::int64_t code = 0; code < (1 << 9); ++code) {
    std::vector<std::int64_t> tokens(9);
    for (int i = 0; i < 9; ++i)
      tokens[static_cast<std::size_t>(i)] = (code >> (8 - i)) & 1;  // token 0 most significant
    if (classes.insert(space->canonical_hash(space->make_arch(tokens))).second) expected.push_back(tokens);
  }
  ASSERT_LT(expected.size(), 512u) << "the test needs a space with duplicate classes";
  EXPECT_EQ(enumerated, expected);
  EXPECT_TRUE(grid->finished());
  EXPECT_TRUE(grid->propose(3).empty());
}

TEST(GridController, ThinsOrderedDecisionsToEvenlySpacedValuesIncludingBothEnds) {
  // SPOS channel search: 2 layers of 4 blocks (categorical) and 8 widths
  // (ordered) -> 5 widths each, positions round(k * 7 / 4) = 0, 2, 4, 5, 7.
  const auto space =
      spaces::make_space("spos(stage_repeats=[1,1],stage_channels=[8,16],stem_channels=4,channel_search=true)");
  auto grid = make_controller("grid", space, 2);
  const auto enumerated = run_to_end(*grid, 64);
  const std::set<std::int64_t> widths = {0, 2, 4, 5, 7};
  std::set<std::vector<std::int64_t>> expected;
  for (std::int64_t b0 = 0; b0 < 4; ++b0)
    for (std::int64_t b1 = 0; b1 < 4; ++b1)
      for (const std::int64_t w0 : widths)
        for (const std::int64_t w1 : widths) expected.insert({b0, b1, w0, w1});
  EXPECT_EQ(enumerated.size(), 4u * 4u * 5u * 5u);
  EXPECT_EQ(std::set<std::vector<std::int64_t>>(enumerated.begin(), enumerated.end()), expected);
  EXPECT_TRUE(std::is_sorted(enumerated.begin(), enumerated.end()));
}

TEST(GridController, AnInactiveDecisionContributesOnlyItsZero) {
  const auto space = std::make_shared<const ToyHyperSpace>();
  auto grid = make_controller("grid(expansion=5)", space, 3);
  const auto enumerated = run_to_end(*grid, 50);
  // Independently: valid sequences whose active widths are on the grid
  // {0, 2, 3, 5, 6} of 7 (round(k * 6 / 4)).
  const std::set<std::int64_t> widths = {0, 2, 3, 5, 6};
  std::size_t expected = 0;
  for (std::int64_t code = 0; code < 2 * 21 * 21; ++code) {
    const std::vector<std::int64_t> tokens = {code / 441, code / 21 % 21 / 7, code / 21 % 7, code % 21 / 7, code % 7};
    if (space->is_valid(space->make_arch(tokens)) && widths.count(tokens[2]) && widths.count(tokens[4])) ++expected;
  }
  EXPECT_EQ(expected, 3u * 5u + 3u * 5u * 3u * 5u);
  EXPECT_EQ(enumerated.size(), expected);
  EXPECT_EQ(std::set<std::vector<std::int64_t>>(enumerated.begin(), enumerated.end()).size(), expected);
}

TEST(GridController, AResumedGridContinuesWithTheSameRemainingOrder) {
  const auto space = spaces::make_space("genet(stages=[3,4])");
  auto whole = make_controller("grid", space, 4);
  auto first = make_controller("grid", space, 4);
  const auto all = run_to_end(*whole, 5);
  const auto head = run_to_end(*first, 5, 100);  // stops after 100
  ASSERT_EQ(head.size(), 100u);
  auto resumed = make_controller("grid", space, 99);
  resumed->load_state(first->state());
  const auto tail = run_to_end(*resumed, 3);
  std::vector<std::vector<std::int64_t>> joined = head;
  joined.insert(joined.end(), tail.begin(), tail.end());
  EXPECT_EQ(joined, all);
}

TEST(GridController, RefusesAnExpansionBelowTwo) {
  EXPECT_THROW(make_controller("grid(expansion=1)", spaces::make_space("genet"), 0), spaces::OptionError);
}

}  // namespace
}  // namespace controllers
