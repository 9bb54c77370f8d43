#include "spaces/completions.h"

#include <stdexcept>
#include <string>

#include "spaces/infra/errors.h"

namespace spaces {
namespace {

struct Walk {
  const SearchSpace& space;
  std::unordered_set<std::uint64_t>& seen;
  std::size_t limit;
  std::vector<Arch> found;
  std::size_t visited = 0;

  void extend(std::vector<std::int64_t>& tokens) {
    if (tokens.size() == space.num_tokens()) {
      if (++visited > limit) {
        throw std::length_error(space.spec() + ": more than " + std::to_string(limit) + " completions");
      }
      Arch arch = space.make_arch(tokens);
      if (seen.insert(space.canonical_hash(arch)).second) found.push_back(std::move(arch));
      return;
    }
    const std::vector<bool> legal = space.legal_choices(tokens);
    for (std::size_t value = 0; value < legal.size(); ++value) {
      if (!legal[value]) continue;
      tokens.push_back(static_cast<std::int64_t>(value));
      extend(tokens);
      tokens.pop_back();
    }
  }
};

}  // namespace

std::vector<Arch> distinct_completions(const SearchSpace& space, std::span<const std::int64_t> prefix,
                                       std::unordered_set<std::uint64_t>& seen, std::size_t limit) {
  if (prefix.size() > space.num_tokens()) {
    throw InvalidArchError(space.spec(), prefix.size(), space.num_tokens());
  }
  std::vector<std::int64_t> tokens;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const std::vector<bool> legal = space.legal_choices(tokens);
    const std::int64_t value = prefix[i];
    if (value < 0 || value >= static_cast<std::int64_t>(legal.size()) || !legal[static_cast<std::size_t>(value)]) {
      throw InvalidArchError(space.spec(), i, value, 0, static_cast<std::int64_t>(legal.size()) - 1,
                             space.describe_decision(i), "not legal after the tokens before it");
    }
    tokens.push_back(value);
  }
  Walk walk{space, seen, limit, {}};
  walk.extend(tokens);
  return std::move(walk.found);
}

std::vector<Arch> distinct_completions(const SearchSpace& space, std::span<const std::int64_t> prefix,
                                       std::size_t limit) {
  std::unordered_set<std::uint64_t> seen;
  return distinct_completions(space, prefix, seen, limit);
}

std::vector<Arch> distinct_random(const SearchSpace& space, std::size_t count, std::unordered_set<std::uint64_t>& seen,
                                  Rng& rng) {
  std::vector<Arch> archs;
  for (std::size_t draws = 0; archs.size() < count && draws < 100 * count; ++draws) {
    Arch arch = space.random(rng);
    if (seen.insert(space.canonical_hash(arch)).second) archs.push_back(std::move(arch));
  }
  return archs;
}

}  // namespace spaces
