#include "spaces/infra/params.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include "spaces/infra/errors.h"
#include "spaces/infra/trim.h"

namespace spaces {
namespace {

bool parse_int(std::string_view text, std::int64_t& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

bool parse_double(std::string_view text, double& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

// Reads `text` as a value of the same alternative as `like`.
bool parse_as(const std::string& text, const ParamValue& like, ParamValue& out) {
  if (std::holds_alternative<bool>(like)) {
    if (text == "true" || text == "1") return out = true, true;
    if (text == "false" || text == "0") return out = false, true;
    return false;
  }
  if (std::holds_alternative<std::int64_t>(like)) {
    std::int64_t value = 0;
    return parse_int(text, value) ? (out = value, true) : false;
  }
  if (std::holds_alternative<double>(like)) {
    double value = 0;
    return parse_double(text, value) ? (out = value, true) : false;
  }
  if (std::holds_alternative<std::vector<std::int64_t>>(like)) {
    std::string body(trim(text));
    if (body.size() >= 2 && body.front() == '[' && body.back() == ']') body = body.substr(1, body.size() - 2);
    std::vector<std::int64_t> list;
    std::stringstream words(body);
    std::string word;
    while (std::getline(words, word, ',')) {
      std::int64_t value = 0;
      if (!parse_int(trim(word), value)) return false;
      list.push_back(value);
    }
    out = list;
    return true;
  }
  out = text;
  return true;
}

void check_range(const std::string& owner, const ParamSpec& spec, double value, const std::string& shown) {
  if (!spec.in_range(value)) {
    throw OptionError(owner + ": option '" + spec.name + "' is " + shown + ", must be in " + range_text(spec));
  }
}

}  // namespace

bool ParamSpec::in_range(double value) const {
  const bool above_min = min_excluded ? value > min : value >= min;
  const bool below_max = max_excluded ? value < max : value <= max;
  return above_min && below_max;  // both false for NaN
}

std::string range_text(const ParamSpec& spec) {
  std::ostringstream text;
  text << (spec.min_excluded ? "(" : "[") << spec.min << ", " << spec.max << (spec.max_excluded ? ")" : "]");
  return text.str();
}

std::string to_string(const ParamValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          char buffer[64];
          const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, v);  // shortest exact form
          return error == std::errc() ? std::string(buffer, end) : std::string("nan");
        } else if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else {
          std::string text = "[";
          for (std::size_t i = 0; i < v.size(); ++i) {
            if (i > 0) text += ',';
            text += std::to_string(v[i]);
          }
          return text + "]";
        }
      },
      value);
}

std::string type_name(const ParamValue& value) {
  static const char* names[] = {"a boolean", "an integer", "a number", "a string", "a list of integers"};
  return names[value.index()];
}

Params Params::resolve(const std::string& owner, const std::vector<ParamSpec>& specs,
                       const std::map<std::string, ParamValue>& given) {
  Params params;
  params.owner_ = owner;
  for (const auto& [key, value] : given) {
    auto spec = std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return s.name == key; });
    if (spec == specs.end()) {
      std::string known;
      for (const auto& s : specs) known += (known.empty() ? "" : ", ") + s.name;
      throw OptionError(owner + ": unknown option '" + key + "' (known: " + (known.empty() ? "none" : known) + ")");
    }
    ParamValue typed = value;
    if (value.index() != spec->default_value.index()) {
      const bool int_as_double =
          std::holds_alternative<std::int64_t>(value) && std::holds_alternative<double>(spec->default_value);
      if (int_as_double) {
        typed = static_cast<double>(std::get<std::int64_t>(value));
      } else if (!std::holds_alternative<std::string>(value) ||
                 !parse_as(std::get<std::string>(value), spec->default_value, typed)) {
        throw OptionError(owner + ": option '" + key + "' must be " + type_name(spec->default_value) + ", got '" +
                          spaces::to_string(value) + "'");
      }
    }
    params.values_[key] = typed;
  }
  for (const auto& spec : specs) {
    auto [it, inserted] = params.values_.emplace(spec.name, spec.default_value);
    const ParamValue& value = it->second;
    if (const auto* i = std::get_if<std::int64_t>(&value)) check_range(owner, spec, double(*i), std::to_string(*i));
    if (const auto* d = std::get_if<double>(&value)) check_range(owner, spec, *d, spaces::to_string(value));
    if (const auto* list = std::get_if<std::vector<std::int64_t>>(&value)) {
      if (list->empty()) throw OptionError(owner + ": option '" + spec.name + "' must not be an empty list");
      for (std::int64_t element : *list) check_range(owner, spec, double(element), spaces::to_string(value));
    }
    if (const auto* s = std::get_if<std::string>(&value); s && !spec.choices.empty()) {
      if (std::find(spec.choices.begin(), spec.choices.end(), *s) == spec.choices.end()) {
        std::string legal;
        for (const auto& c : spec.choices) legal += (legal.empty() ? "" : ", ") + c;
        throw OptionError(owner + ": option '" + spec.name + "' is '" + *s + "', must be one of: " + legal);
      }
    }
    (void)inserted;
  }
  return params;
}

const ParamValue& Params::at(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::logic_error(owner_ + ": no option named '" + name + "'");
  return it->second;
}

bool Params::get_bool(const std::string& name) const { return std::get<bool>(at(name)); }
std::int64_t Params::get_int(const std::string& name) const { return std::get<std::int64_t>(at(name)); }
double Params::get_double(const std::string& name) const { return std::get<double>(at(name)); }
const std::string& Params::get_string(const std::string& name) const { return std::get<std::string>(at(name)); }
const std::vector<std::int64_t>& Params::get_int_list(const std::string& name) const {
  return std::get<std::vector<std::int64_t>>(at(name));
}

std::string Params::to_string() const {
  std::string text;
  for (const auto& [key, value] : values_) text += (text.empty() ? "" : ",") + key + "=" + spaces::to_string(value);
  return text;
}

NamedSpec parse_named_spec(std::string_view text) {
  NamedSpec spec;
  const std::string whole(trim(text));
  const auto open = whole.find('(');
  spec.name = std::string(trim(whole.substr(0, open)));
  if (spec.name.empty()) throw OptionError("'" + whole + "': missing a name before the options");
  if (open == std::string::npos) return spec;
  if (whole.back() != ')') throw OptionError("'" + whole + "': options must end with ')'");
  const std::string body = whole.substr(open + 1, whole.size() - open - 2);
  int depth = 0;
  std::string item;
  auto flush = [&] {
    const std::string entry(trim(item));
    item.clear();
    if (entry.empty()) return;
    const auto eq = entry.find('=');
    if (eq == std::string::npos) throw OptionError("'" + whole + "': option '" + entry + "' has no '='");
    const std::string key(trim(entry.substr(0, eq)));
    if (!spec.given.emplace(key, std::string(trim(entry.substr(eq + 1)))).second) {
      throw OptionError("'" + whole + "': option '" + key + "' given twice");
    }
  };
  for (char c : body) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (depth < 0) throw OptionError("'" + whole + "': unbalanced ']'");
    if (c == ',' && depth == 0) {
      flush();
    } else {
      item += c;
    }
  }
  if (depth != 0) throw OptionError("'" + whole + "': unbalanced '['");
  flush();
  return spec;
}

}  // namespace spaces
