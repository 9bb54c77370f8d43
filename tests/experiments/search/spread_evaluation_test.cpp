#include "experiments/search/spread_evaluation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/experiments/distributed/ranks.h"

namespace experiments {
namespace {

// What item i measures to: exact fractions, a NaN and an infinity, and a
// metric only some items have.
controllers::Metrics metrics_of_item(std::size_t i) {
  controllers::Metrics metrics = {{"accuracy", 1.0 / double(i + 3)}, {"loss", i == 2 ? std::nan("") : double(i)}};
  if (i % 3 == 0) metrics["stopped_early"] = std::numeric_limits<double>::infinity();
  return metrics;
}

std::uint64_t key_of_item(std::size_t i) { return 1000003ULL * (i + 1); }

bool same(const controllers::Metrics& a, const controllers::Metrics& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, value] : a) {
    const auto it = b.find(name);
    if (it == b.end() || !(it->second == value || (std::isnan(it->second) && std::isnan(value)))) return false;
  }
  return true;
}

// One process measures every item in order and passes over none.
TEST(SpreadEvaluation, OneProcessMeasuresEveryItemInOrder) {
  const World world;
  std::vector<std::size_t> measured;
  const auto metrics = evaluate_spread(
      world, 4, key_of_item,
      [&](std::size_t i) {
        measured.push_back(i);
        return metrics_of_item(i);
      },
      [](std::size_t) { ADD_FAILURE() << "passed over an item with one rank"; });
  EXPECT_EQ(measured, (std::vector<std::size_t>{0, 1, 2, 3}));
  for (std::size_t i = 0; i < 4; ++i) EXPECT_TRUE(same(metrics[i], metrics_of_item(i)));
}

// Two ranks: each measures its items (round robin) and passes over the
// other's, in order; both end with every item's exact metrics.
TEST(SpreadEvaluation, TwoRanksMeasureTheirShareAndGatherEveryItemExactly) {
  const std::vector<int> codes = testing::run_ranks(2, [](int rank) {
    const World world = World::from_environment(20.0);
    std::vector<std::string> calls;  // "m3": measured item 3; "p2": passed over item 2
    const std::size_t count = 7;
    const auto metrics = evaluate_spread(
        world, count, key_of_item,
        [&](std::size_t i) {
          calls.push_back("m" + std::to_string(i));
          return metrics_of_item(i);
        },
        [&](std::size_t i) { calls.push_back("p" + std::to_string(i)); });
    for (std::size_t i = 0; i < count; ++i) {
      if (calls[i] != (i % 2 == static_cast<std::size_t>(rank) ? "m" : "p") + std::to_string(i)) return 1;
      if (!same(metrics[i], metrics_of_item(i))) return 2;
    }
    // Fewer items than ranks: rank 1 measures nothing and still gathers.
    const auto one = evaluate_spread(world, 1, key_of_item, metrics_of_item, [](std::size_t) {});
    if (one.size() != 1 || !same(one[0], metrics_of_item(0))) return 3;
    // Ranks that disagree on the candidates (rank 1 keys item 1 differently) stop with a message.
    try {
      evaluate_spread(
          world, 2, [rank](std::size_t i) { return key_of_item(i) + (rank == 1 && i == 1 ? 1 : 0); }, metrics_of_item,
          [](std::size_t) {});
      if (rank == 0) return 4;  // rank 1 receives only item 0, whose key agrees
    } catch (const DistributedError& e) {
      if (rank == 0 && std::string(e.what()).find("rank 1 measured another candidate as item 1") == std::string::npos)
        return 5;
    }
    return 0;
  });
  EXPECT_EQ(codes, (std::vector<int>{0, 0}));
}

}  // namespace
}  // namespace experiments
