#include "controllers/rank_correlation.h"

#include <gtest/gtest.h>

#include <cmath>

namespace controllers {
namespace {

TEST(RankCorrelation, PerfectAndReversedOrders) {
  const std::vector<double> a = {0.1, 0.5, 0.3, 0.9}, same = {1, 5, 3, 9}, reversed = {9, 5, 7, 1};
  EXPECT_DOUBLE_EQ(spearman(a, same), 1.0);
  EXPECT_DOUBLE_EQ(kendall_tau(a, same), 1.0);
  EXPECT_DOUBLE_EQ(spearman(a, reversed), -1.0);
  EXPECT_DOUBLE_EQ(kendall_tau(a, reversed), -1.0);
}

// Worked by hand: ranks of a are 1, 2.5, 2.5, 4, so rho = 4.5 / sqrt(4.5 * 5);
// 5 concordant pairs, none discordant, one tied in a: tau-b = 5 / sqrt(6 * 5).
TEST(RankCorrelation, TiesShareTheirMeanRank) {
  const std::vector<double> a = {1, 2, 2, 3}, b = {1, 2, 3, 4};
  EXPECT_NEAR(spearman(a, b), 4.5 / std::sqrt(4.5 * 5.0), 1e-12);
  EXPECT_NEAR(kendall_tau(a, b), 5.0 / std::sqrt(30.0), 1e-12);
}

TEST(RankCorrelation, UndefinedCasesAreNaNAndLengthsMustMatch) {
  EXPECT_TRUE(std::isnan(spearman({1.0}, {2.0})));
  EXPECT_TRUE(std::isnan(kendall_tau({1, 1, 1}, {1, 2, 3})));
  EXPECT_THROW(spearman({1, 2}, {1, 2, 3}), std::invalid_argument);
}

}  // namespace
}  // namespace controllers
