#include "controllers/pareto.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

namespace controllers {
namespace {

TEST(Pareto, AccuracyIsMaximisedAndEveryOtherMetricMinimised) {
  EXPECT_TRUE(maximised("accuracy"));
  for (const char* cost : {"params", "macs", "latency_ms", "loss", "seconds"}) EXPECT_FALSE(maximised(cost)) << cost;
  EXPECT_EQ(objective_value("accuracy", 0.9), -0.9);
  EXPECT_EQ(objective_value("macs", 3e6), 3e6);
  EXPECT_EQ(metric_value("accuracy", objective_value("accuracy", 0.9)), 0.9);
}

TEST(Pareto, DominanceNeedsNoWorseEntryAndOneBetter) {
  EXPECT_TRUE(dominates({1, 2}, {1, 3}));
  EXPECT_FALSE(dominates({1, 2}, {1, 2}));  // equal: neither dominates
  EXPECT_FALSE(dominates({0, 4}, {1, 3}));  // a trade-off
  EXPECT_THROW(dominates({1, 2}, {1, 2, 3}), std::invalid_argument);
}

TEST(Pareto, TheFirstFrontHoldsTheNonDominatedPointsAndEqualOnesAlike) {
  // (3, 3) is dominated by (2, 2); the two (1, 4) are equal and both kept.
  const std::vector<ObjectiveVector> points = {{3, 3}, {1, 4}, {2, 2}, {4, 1}, {1, 4}, {5, 5}};
  EXPECT_EQ(non_dominated(points), (std::vector<std::size_t>{1, 2, 3, 4}));
  EXPECT_EQ(non_dominated({{7, 7}}), (std::vector<std::size_t>{0}));
  EXPECT_TRUE(non_dominated({}).empty());
  EXPECT_THROW(non_dominated({{1, 2}, {1}}), std::invalid_argument);
  EXPECT_THROW(non_dominated({{1}, {2}}), std::invalid_argument);
  EXPECT_THROW(non_dominated({{1, std::numeric_limits<double>::quiet_NaN()}, {1, 2}}), std::invalid_argument);
}

TEST(Pareto, HypervolumeIsTheAreaTheFrontDominatesWithinTheReference) {
  // Staircase (1,3), (2,2), (3,1) under (4,4): strips of 1 x 1, 1 x 2 and 1 x 3.
  EXPECT_DOUBLE_EQ(hypervolume({{1, 3}, {2, 2}, {3, 1}}, {4, 4}), 1.0 + 2.0 + 3.0);
  // A dominated point adds nothing; a point outside the box adds nothing.
  EXPECT_DOUBLE_EQ(hypervolume({{1, 3}, {2, 2}, {3, 1}, {3, 3}, {5, 0}}, {4, 4}), 6.0);
  EXPECT_DOUBLE_EQ(hypervolume({{4, 1}}, {4, 4}), 0.0);  // on the boundary: strictly below is required
  EXPECT_DOUBLE_EQ(hypervolume({}, {4, 4}), 0.0);
  // Three objectives: one point is a box.
  EXPECT_DOUBLE_EQ(hypervolume({{1, 2, 3}}, {2, 4, 6}), 1.0 * 2.0 * 3.0);
  // Accuracy enters negated, against a reference accuracy of 0.
  EXPECT_DOUBLE_EQ(hypervolume({{objective_value("accuracy", 0.5), 1.0}}, {0.0, 3.0}), 0.5 * 2.0);
  EXPECT_THROW(hypervolume({{1, 2, 3}}, {4, 4}), std::invalid_argument);
  EXPECT_THROW(hypervolume({{1, 2}}, {4}), std::invalid_argument);
}

}  // namespace
}  // namespace controllers
