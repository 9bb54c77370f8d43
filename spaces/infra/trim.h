#pragma once
// Whitespace trimming, one way for the text parsers of every folder.

#include <cctype>
#include <string_view>

namespace spaces {

// `text` without its leading and trailing whitespace (what std::isspace
// calls space: ' ', \t, \n, \v, \f, \r), as a view into `text`; empty if
// `text` is all whitespace. Throws nothing.
inline std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

}  // namespace spaces
