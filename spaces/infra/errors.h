#pragma once
// Typed errors for bad user input about architectures and spaces. Each one
// names what is wrong and where, so a command-line tool can print it as is.

#include <cstdint>
#include <stdexcept>
#include <string>

namespace spaces {

// Base of every error about an architecture given by a user.
class ArchError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A token sequence that breaks the space's grammar: wrong length, or a token
// outside its legal range. Carries the position and the range it broke.
class InvalidArchError : public ArchError {
 public:
  // A token out of range: `position` is 0-based, legal values are
  // [legal_min, legal_max] (with `detail` naming any further rule, such as
  // "must differ from the token at position 0").
  InvalidArchError(const std::string& space, std::size_t position, std::int64_t value, std::int64_t legal_min,
                   std::int64_t legal_max, const std::string& what_decision, const std::string& detail = "");
  // A sequence of the wrong length.
  InvalidArchError(const std::string& space, std::size_t length, std::size_t expected);

  std::size_t position() const { return position_; }  // == length for length errors
  std::int64_t value() const { return value_; }
  std::int64_t legal_min() const { return legal_min_; }
  std::int64_t legal_max() const { return legal_max_; }

 private:
  std::size_t position_ = 0;
  std::int64_t value_ = 0, legal_min_ = 0, legal_max_ = 0;
};

// Text that cannot be read as an architecture of the space: not a number,
// an unknown op name, a malformed genotype, empty input, a cycle.
class ArchParseError : public ArchError {
 public:
  using ArchError::ArchError;
};

// A space or option specification that is unknown, of the wrong type or out
// of range ("enas_micro(nodes=0)").
class OptionError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace spaces
