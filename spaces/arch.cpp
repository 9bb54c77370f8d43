#include "spaces/arch.h"

#include <charconv>
#include <cstdio>

#include "spaces/infra/errors.h"

namespace spaces {

std::string round_trip_text(double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

std::string join_tokens(const std::vector<std::int64_t>& tokens) {
  std::string text;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) text += ' ';
    text += std::to_string(tokens[i]);
  }
  return text;
}

std::vector<std::int64_t> split_tokens(std::string_view text, const std::string& space) {
  std::vector<std::int64_t> tokens;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (error != std::errc() || end != word.data() + word.size()) {
      throw ArchParseError(space + ": token " + std::to_string(tokens.size()) + " is '" + word + "', not an integer");
    }
    tokens.push_back(value);
    word.clear();
  };
  for (char c : text) {
    if (c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\r' || c == '[' || c == ']' || c == '(' || c == ')') {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  if (tokens.empty()) throw ArchParseError(space + ": empty architecture text");
  return tokens;
}

std::uint64_t hash_mix(std::uint64_t seed, std::uint64_t value) {
  std::uint64_t z = seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t hash_string(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, then mixed
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  return hash_mix(h, text.size());
}

}  // namespace spaces

std::size_t std::hash<spaces::Arch>::operator()(const spaces::Arch& arch) const noexcept {
  std::uint64_t h = spaces::hash_string(arch.space);
  for (std::int64_t token : arch.tokens) h = spaces::hash_mix(h, static_cast<std::uint64_t>(token));
  return static_cast<std::size_t>(h);
}
