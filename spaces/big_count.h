#pragma once
// BigCount: an exact non-negative integer for search-space sizes, which
// overflow 64 bits (the ENAS macro space with 12 layers has 6^12 * 2^66
// members). Only what counting needs: products, sums, decimal text, log10.

#include <cstdint>
#include <string>
#include <vector>

namespace spaces {

class BigCount {
 public:
  BigCount(std::uint64_t value = 0);  // NOLINT: implicit from small counts is intended

  BigCount& operator*=(const BigCount& other);
  BigCount& operator+=(const BigCount& other);
  friend BigCount operator*(BigCount a, const BigCount& b) { return a *= b; }
  friend BigCount operator+(BigCount a, const BigCount& b) { return a += b; }
  friend bool operator==(const BigCount&, const BigCount&) = default;

  // a^n by repeated squaring.
  static BigCount power(const BigCount& base, std::uint64_t exponent);

  std::string to_string() const;  // exact decimal digits
  double log10() const;           // approximate; -inf for zero
  bool is_zero() const { return limbs_.empty(); }

 private:
  void trim();
  // Little-endian base-10^9 limbs; empty means zero.
  std::vector<std::uint32_t> limbs_;
};

}  // namespace spaces
