#include "spaces/big_count.h"

#include <gtest/gtest.h>

#include <cmath>

namespace spaces {
namespace {

TEST(BigCount, PrintsSmallNumbersExactly) {
  EXPECT_EQ(BigCount(0).to_string(), "0");
  EXPECT_EQ(BigCount(7).to_string(), "7");
  EXPECT_EQ(BigCount(1'000'000'000ULL).to_string(), "1000000000");
  EXPECT_EQ(BigCount(18'446'744'073'709'551'615ULL).to_string(), "18446744073709551615");
}

TEST(BigCount, MultipliesPastSixtyFourBits) {
  // 2^64 * 2^64 = 2^128
  const BigCount two64 = BigCount(18'446'744'073'709'551'615ULL) + BigCount(1);
  EXPECT_EQ(two64.to_string(), "18446744073709551616");
  EXPECT_EQ((two64 * two64).to_string(), "340282366920938463463374607431768211456");
  EXPECT_EQ(BigCount::power(BigCount(2), 128), two64 * two64);
}

TEST(BigCount, PowerAndLogAgree) {
  EXPECT_EQ(BigCount::power(BigCount(10), 30).to_string(), "1" + std::string(30, '0'));
  EXPECT_NEAR(BigCount::power(BigCount(6), 12).log10(), 12 * std::log10(6.0), 1e-9);
  EXPECT_NEAR(BigCount::power(BigCount(3), 200).log10(), 200 * std::log10(3.0), 1e-9);
  EXPECT_EQ(BigCount::power(BigCount(5), 0), BigCount(1));
}

TEST(BigCount, AddsWithCarries) {
  EXPECT_EQ((BigCount(999'999'999ULL) + BigCount(1)).to_string(), "1000000000");
  EXPECT_EQ((BigCount::power(BigCount(10), 27) + BigCount(5)).to_string(), "1" + std::string(26, '0') + "5");
  EXPECT_TRUE((BigCount(0) * BigCount(12345)).is_zero());
}

}  // namespace
}  // namespace spaces
