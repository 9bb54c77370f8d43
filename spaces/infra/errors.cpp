#include "spaces/infra/errors.h"

#include <sstream>

namespace spaces {
namespace {

std::string out_of_range_message(const std::string& space, std::size_t position, std::int64_t value,
                                 std::int64_t legal_min, std::int64_t legal_max, const std::string& what_decision,
                                 const std::string& detail) {
  std::ostringstream text;
  text << space << ": token " << position << " (" << what_decision << ") is " << value << ", legal range [" << legal_min
       << ", " << legal_max << "]";
  if (!detail.empty()) text << ", " << detail;
  return text.str();
}

}  // namespace

InvalidArchError::InvalidArchError(const std::string& space, std::size_t position, std::int64_t value,
                                   std::int64_t legal_min, std::int64_t legal_max, const std::string& what_decision,
                                   const std::string& detail)
    : ArchError(out_of_range_message(space, position, value, legal_min, legal_max, what_decision, detail)),
      position_(position),
      value_(value),
      legal_min_(legal_min),
      legal_max_(legal_max) {}

InvalidArchError::InvalidArchError(const std::string& space, std::size_t length, std::size_t expected)
    : ArchError(space + ": expected " + std::to_string(expected) + " tokens, got " + std::to_string(length)),
      position_(length),
      value_(static_cast<std::int64_t>(length)),
      legal_min_(static_cast<std::int64_t>(expected)),
      legal_max_(static_cast<std::int64_t>(expected)) {}

}  // namespace spaces
