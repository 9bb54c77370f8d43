#include <gtest/gtest.h>

#include <set>

#include "controllers/controller.h"
#include "spaces/completions.h"
#include "spaces/registry.h"
#include "tests/controllers/ask_tell_loop.h"

namespace controllers {
namespace {

// The first decision is the root's branch: 1 is far better, the rest adds a little.
double branch_reward(const spaces::Arch& arch) {
  double rest = 0.0;
  for (std::size_t i = 1; i < arch.tokens.size(); ++i) rest += double(arch.tokens[i]);
  return (arch.tokens[0] == 1 ? 0.8 : 0.2) + 0.01 * rest;
}

std::vector<spaces::Arch> search(Controller& controller, int budget, int per_update) {
  return test_support::ask_tell(controller, budget, per_update, branch_reward);
}

TEST(MctsController, VisitsConcentrateOnTheBetterBranch) {
  // Every proposal descends through one root child, the value of token 0.
  auto mcts = make_controller("mcts", spaces::make_space("genet"), 11);
  const auto archs = search(*mcts, 60, 1);
  ASSERT_EQ(archs.size(), 60u);
  int better = 0;
  for (std::size_t i = 20; i < archs.size(); ++i) better += archs[i].tokens[0] == 1;
  EXPECT_GE(better, 36) << "of the last 40 proposals";
  // And the log says so: the root's children with their means and visits.
  const auto log = mcts->take_report().log;
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log.back().find("first decision"), std::string::npos) << log.back();
}

TEST(MctsController, ABatchSpreadsOverUntriedChildren) {
  // Token 0 is one bit (an edge of Genetic CNN); two proposals before any
  // feedback take both values (the first a pending visit).
  auto mcts = make_controller("mcts", spaces::make_space("genet(stages=[3,4])"), 3);
  const auto proposals = mcts->propose(2);
  ASSERT_EQ(proposals.size(), 2u);
  EXPECT_NE(proposals[0].arch.tokens[0], proposals[1].arch.tokens[0]);
}

TEST(MctsController, ProposesEveryDistinctArchitectureOnceThenFinishes) {
  const auto space = spaces::make_space("genet(stages=[3,4])");
  const std::size_t distinct = spaces::distinct_completions(*space, {}).size();
  auto mcts = make_controller("mcts", space, 5);
  const auto archs = search(*mcts, 100000, 4);
  std::set<std::uint64_t> hashes;
  for (const spaces::Arch& a : archs) EXPECT_TRUE(hashes.insert(space->canonical_hash(a)).second);
  EXPECT_EQ(archs.size(), distinct);
  EXPECT_TRUE(mcts->finished());
  EXPECT_TRUE(mcts->propose(1).empty());
}

TEST(MctsController, OnlyOrderedDecisionsAreCutToMaxNodeSpaceChildren) {
  // One SPOS layer with channel search: a block (categorical, 4 values)
  // then a width (ordered, 8 values). With max_node_space=3 the root keeps
  // its 4 blocks (Hypernets' Choice expands fully) and each block node 3
  // of the widths.
  const auto space =
      spaces::make_space("spos(stage_repeats=[1],stage_channels=[8],stem_channels=4,channel_search=true)");
  auto mcts = make_controller("mcts(max_node_space=3)", space, 8);
  const auto archs = search(*mcts, 200, 5);
  EXPECT_TRUE(mcts->finished());  // the tree's 12 leaves are taken; roll-outs may have found more
  EXPECT_GE(archs.size(), 12u);
  EXPECT_LE(archs.size(), 32u);
  const StateDict state = mcts->state();
  const torch::Tensor depth = state.tensors.at("tree.depth"), children = state.tensors.at("tree.children");
  EXPECT_EQ(children[0].item<std::int64_t>(), 4);
  int block_nodes = 0;
  for (std::int64_t v = 0; v < depth.size(0); ++v) {
    if (depth[v].item<std::int64_t>() != 1) continue;
    ++block_nodes;
    EXPECT_EQ(children[v].item<std::int64_t>(), 3) << "node " << v;
  }
  EXPECT_EQ(block_nodes, 4);
}

TEST(MctsController, AResumedSearchIsExact) {
  const auto space = spaces::make_space("genet");
  auto whole = make_controller("mcts", space, 21), first = make_controller("mcts", space, 21);
  search(*whole, 30, 3);
  search(*first, 30, 3);
  const auto pending_whole = whole->propose(2);
  first->propose(2);
  auto resumed = make_controller("mcts", space, 4321);
  resumed->load_state(first->state());
  whole->take_report();  // the core takes reports before it saves a state
  std::vector<Feedback> feedback;
  for (const Proposal& p : pending_whole) feedback.push_back({p.id, branch_reward(p.arch)});
  whole->observe(feedback);
  resumed->observe(feedback);
  EXPECT_EQ(whole->take_report().log, resumed->take_report().log);
  EXPECT_EQ(search(*whole, 30, 3), search(*resumed, 30, 3));
  EXPECT_EQ(whole->take_report().log, resumed->take_report().log);
  EXPECT_EQ(whole->state().tensors.at("tree.visits").sum().item<std::int64_t>(),
            resumed->state().tensors.at("tree.visits").sum().item<std::int64_t>());
}

}  // namespace
}  // namespace controllers

namespace controllers {
namespace {

TEST(MctsController, AStateWhoseChildrenNameAnotherParentIsRefused) {
  const auto space = spaces::make_space("genet");
  auto controller = make_controller("mcts", space, 5);
  search(*controller, 40, 2);
  StateDict state = controller->state();
  torch::Tensor parent = state.tensors.at("tree.parent").clone(), depth = state.tensors.at("tree.depth");
  const torch::Tensor first = state.tensors.at("tree.first_child"), count = state.tensors.at("tree.children");
  // A child of one depth-1 node, re-parented to another depth-1 node declared before it.
  std::int64_t moved = -1, other = -1;
  for (std::int64_t v = 0; v < parent.size(0) && moved < 0; ++v) {
    if (depth[v].item<std::int64_t>() != 1 || count[v].item<std::int64_t>() == 0) continue;
    const std::int64_t child = first[v].item<std::int64_t>();
    for (std::int64_t u = 0; u < child; ++u) {
      if (u != v && depth[u].item<std::int64_t>() == 1) {
        moved = child;
        other = u;
        break;
      }
    }
  }
  ASSERT_GE(moved, 0) << "the search grew no second level";
  parent[moved] = other;
  state.tensors["tree.parent"] = parent;
  auto loaded = make_controller("mcts", space, 5);
  EXPECT_THROW(loaded->load_state(state), spaces::StateError);
}

}  // namespace
}  // namespace controllers
