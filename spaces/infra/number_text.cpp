#include "spaces/infra/number_text.h"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace spaces {

std::string fixed(double value, int digits) {
  std::ostringstream text;
  text.setf(std::ios::fixed);
  text.precision(digits);
  text << value;
  return text.str();
}

std::optional<double> parse_number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const std::string owned(text);
  try {
    std::size_t used = 0;
    const double value = std::stod(owned, &used);
    if (used == owned.size() && std::isfinite(value)) return value;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::string compact(double value, int digits) {
  char text[40];
  std::snprintf(text, sizeof text, "%.*g", digits, value);
  return text;
}

}  // namespace spaces
