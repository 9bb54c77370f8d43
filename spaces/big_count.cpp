#include "spaces/big_count.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace spaces {
namespace {
constexpr std::uint64_t kBase = 1'000'000'000ULL;
}

BigCount::BigCount(std::uint64_t value) {
  while (value > 0) {
    limbs_.push_back(static_cast<std::uint32_t>(value % kBase));
    value /= kBase;
  }
}

void BigCount::trim() {
  while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
}

BigCount& BigCount::operator+=(const BigCount& other) {
  if (limbs_.size() < other.limbs_.size()) limbs_.resize(other.limbs_.size(), 0);
  std::uint64_t carry = 0;
  for (std::size_t i = 0; i < limbs_.size(); ++i) {
    std::uint64_t sum = carry + limbs_[i] + (i < other.limbs_.size() ? other.limbs_[i] : 0);
    limbs_[i] = static_cast<std::uint32_t>(sum % kBase);
    carry = sum / kBase;
  }
  if (carry > 0) limbs_.push_back(static_cast<std::uint32_t>(carry));
  return *this;
}

BigCount& BigCount::operator*=(const BigCount& other) {
  if (is_zero() || other.is_zero()) {
    limbs_.clear();
    return *this;
  }
  std::vector<std::uint64_t> product(limbs_.size() + other.limbs_.size() + 1, 0);
  for (std::size_t i = 0; i < limbs_.size(); ++i) {
    std::uint64_t carry = 0;
    for (std::size_t j = 0; j < other.limbs_.size(); ++j) {
      std::uint64_t cur = product[i + j] + std::uint64_t{limbs_[i]} * other.limbs_[j] + carry;
      product[i + j] = cur % kBase;
      carry = cur / kBase;
    }
    for (std::size_t k = i + other.limbs_.size(); carry > 0; ++k) {
      std::uint64_t cur = product[k] + carry;
      product[k] = cur % kBase;
      carry = cur / kBase;
    }
  }
  limbs_.assign(product.begin(), product.end());
  trim();
  return *this;
}

BigCount BigCount::power(const BigCount& base, std::uint64_t exponent) {
  BigCount result(1);
  BigCount square = base;
  while (exponent > 0) {
    if (exponent & 1U) result *= square;
    exponent >>= 1U;
    if (exponent > 0) square *= square;
  }
  return result;
}

std::string BigCount::to_string() const {
  if (is_zero()) return "0";
  std::string text = std::to_string(limbs_.back());
  char limb[16];
  for (std::size_t i = limbs_.size() - 1; i-- > 0;) {
    std::snprintf(limb, sizeof limb, "%09u", limbs_[i]);
    text += limb;
  }
  return text;
}

double BigCount::log10() const {
  if (is_zero()) return -std::numeric_limits<double>::infinity();
  // The top two limbs carry all the precision a double can hold.
  double top = limbs_.back();
  if (limbs_.size() >= 2) top += limbs_[limbs_.size() - 2] / double(kBase);
  return std::log10(top) + 9.0 * double(limbs_.size() - 1);
}

}  // namespace spaces
