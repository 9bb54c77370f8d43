#pragma once
// Test helper: counts valid token sequences by trying every combination of
// each decision's values at positions [first, last) with the other tokens
// fixed, and asking validate() about each. Independent of legal_choices and
// of the spaces' size formulas, which is the point.

#include <cstdint>
#include <vector>

#include "spaces/search_space.h"

namespace spaces::testing {

inline std::uint64_t count_valid_by_brute_force(const SearchSpace& space, std::vector<std::int64_t> tokens,
                                                std::size_t first, std::size_t last) {
  for (std::size_t i = first; i < last; ++i) tokens[i] = 0;
  std::uint64_t valid = 0;
  while (true) {
    valid += space.is_valid(space.make_arch(tokens)) ? 1 : 0;
    std::size_t i = first;
    for (; i < last; ++i) {  // odometer increment
      if (++tokens[i] < space.decisions()[i].num_choices) break;
      tokens[i] = 0;
    }
    if (i == last) return valid;
  }
}

}  // namespace spaces::testing
