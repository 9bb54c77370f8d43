#pragma once
// Enumeration of an architecture's completions: every valid architecture
// of a space whose tokens start with a given prefix, one per canonical class
// (SearchSpace::canonical_hash). PNAS's progressive search is built on it:
// with the empty prefix in pnas(blocks=1) it lists the distinct one-block
// cells; with a b-block cell's tokens as the prefix in pnas(blocks=b+1) it
// lists every distinct way to add one block.

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_set>
#include <vector>

#include "spaces/search_space.h"

namespace spaces {

// Completions in token-lexicographic order, the first of each canonical
// class kept. Classes already in `seen` are skipped, and the new ones are
// added to it, so one set deduplicates across several prefixes. Throws
// InvalidArchError when `prefix` is longer than the space's sequences or
// has an illegal token, and std::length_error when there would be more than
// `limit` completions (an accidental walk over a huge space).
std::vector<Arch> distinct_completions(const SearchSpace& space, std::span<const std::int64_t> prefix,
                                       std::unordered_set<std::uint64_t>& seen, std::size_t limit = 10'000'000);

// The same with a fresh `seen` set.
std::vector<Arch> distinct_completions(const SearchSpace& space, std::span<const std::int64_t> prefix,
                                       std::size_t limit = 10'000'000);

// Up to `count` uniformly random architectures (SearchSpace::random) of
// canonical classes not in `seen`, each added to it. Gives up after
// 100 * count draws, so a nearly exhausted space returns fewer.
std::vector<Arch> distinct_random(const SearchSpace& space, std::size_t count, std::unordered_set<std::uint64_t>& seen,
                                  Rng& rng);

}  // namespace spaces
