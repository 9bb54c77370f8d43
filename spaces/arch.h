#pragma once
// Arch: an architecture as its space's name plus the token sequence the
// space's decisions() describe. Plain data: validity is the space's job
// (SearchSpace::validate). Equality and std::hash are token-exact; for
// equality of the computed function use SearchSpace::canonical_hash.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace spaces {

struct Arch {
  std::string space;  // the space's spec, "enas_micro(nodes=5)" (SearchSpace::spec)
  std::vector<std::int64_t> tokens;

  friend bool operator==(const Arch&, const Arch&) = default;
};

// "0 2 0 0 1 4 ..." — the token list as space-separated integers.
std::string join_tokens(const std::vector<std::int64_t>& tokens);

// Reads space- or comma-separated integers (brackets and parentheses
// allowed, as Python prints lists and tuples). Throws ArchParseError naming the offending word and its
// position for anything that is not an integer, and for empty text.
std::vector<std::int64_t> split_tokens(std::string_view text, const std::string& space);

// A number as text that std::stod reads back as exactly `value` (%.17g),
// for state kept as text (checkpoints, controller states).
std::string round_trip_text(double value);

// Order-sensitive 64-bit mixing for hashes (splitmix64 finaliser).
std::uint64_t hash_mix(std::uint64_t seed, std::uint64_t value);
std::uint64_t hash_string(std::string_view text);

}  // namespace spaces

template <>
struct std::hash<spaces::Arch> {
  std::size_t operator()(const spaces::Arch& arch) const noexcept;
};
