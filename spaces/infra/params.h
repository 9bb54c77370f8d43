#pragma once
// Named, typed, range-checked options for anything built by name from a
// registry: spaces now, controllers later. A registered type lists its
// ParamSpecs (name, default, range, one-line help); Params::resolve checks a
// user's values against them, so an unknown key, a wrong type or an
// out-of-range value is an OptionError naming the owner and the key.
//
// Text form, as in OpenSpiel's game strings: "enas_micro(nodes=4)",
// "genet(stages=[3,4,5])", "nao(ops=nao16)".

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace spaces {

using ParamValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::int64_t>>;

std::string to_string(const ParamValue& value);
std::string type_name(const ParamValue& value);

struct ParamSpec {
  std::string name;
  ParamValue default_value;
  std::string help;
  double min = -std::numeric_limits<double>::infinity();  // numbers and list elements
  double max = std::numeric_limits<double>::infinity();
  std::vector<std::string> choices{};  // strings: the legal values (empty: any)
  // Whether a bound itself is illegal: a probability of dropping everything
  // (dropout 1), an Adam beta of 1 (bias correction divides by 0).
  bool min_excluded = false;
  bool max_excluded = false;

  // This spec with `max` (`min`) excluded: [min, max) ((min, max]).
  ParamSpec open_above() const {
    ParamSpec spec = *this;
    spec.max_excluded = true;
    return spec;
  }
  ParamSpec open_below() const {
    ParamSpec spec = *this;
    spec.min_excluded = true;
    return spec;
  }
  // Whether `value` is in the range; false for NaN.
  bool in_range(double value) const;
};

// The legal range as text: "[1, 12]", "[0, 1)", "(0, 1)".
std::string range_text(const ParamSpec& spec);

class Params {
 public:
  Params() = default;

  // Every spec'd key gets the given value or its default. A given string for
  // a non-string spec is read as text of the spec's type (so "nodes=4" from a
  // command line works). Throws OptionError: "<owner>: unknown option 'x'
  // (known: a, b)", "<owner>: option 'nodes' must be an integer, got 'x'",
  // "<owner>: option 'nodes' is 0, must be in [1, 12]" (or "[0, 1)" where a
  // bound is excluded).
  static Params resolve(const std::string& owner, const std::vector<ParamSpec>& specs,
                        const std::map<std::string, ParamValue>& given);

  bool get_bool(const std::string& name) const;
  std::int64_t get_int(const std::string& name) const;
  double get_double(const std::string& name) const;
  const std::string& get_string(const std::string& name) const;
  const std::vector<std::int64_t>& get_int_list(const std::string& name) const;

  const std::map<std::string, ParamValue>& values() const { return values_; }
  // "nodes=5,ops=enas" in key order; empty when there are no options.
  std::string to_string() const;

 private:
  const ParamValue& at(const std::string& name) const;
  std::string owner_;
  std::map<std::string, ParamValue> values_;
};

// "name(key=value, key=[1,2])" -> name and string values. Throws OptionError
// for unbalanced brackets, a missing '=' or an empty name.
struct NamedSpec {
  std::string name;
  std::map<std::string, ParamValue> given;
};
NamedSpec parse_named_spec(std::string_view text);

}  // namespace spaces
