#include "spaces/hyper_space.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <sstream>

#include "spaces/infra/errors.h"
#include "spaces/infra/number_text.h"

namespace spaces {
namespace {

const std::set<std::string>& vocabulary() {
  static const std::set<std::string> ops = {"dense",   "conv2d",   "batch_norm", "activation",
                                            "dropout", "max_pool", "avg_pool",   "flatten"};
  return ops;
}

HyperValue number_value(double number) { return {number, compact(number)}; }

void check_values(const HyperParameter& parameter) {
  if (parameter.values.empty()) throw OptionError("hyper-parameter '" + parameter.name + "' has no values");
  std::set<std::string> seen;
  for (const HyperValue& value : parameter.values) {
    if (!seen.insert(value.text).second) {
      throw OptionError("hyper-parameter '" + parameter.name + "' lists the value " + value.text + " twice");
    }
  }
}

HyperParameter finished(HyperParameter parameter) {
  check_values(parameter);
  return parameter;
}

// The values of a prefix, placeholders (0, "") after it.
std::vector<HyperValue> values_of(const std::vector<HyperParameter>& parameters, std::span<const std::int64_t> tokens) {
  std::vector<HyperValue> values(parameters.size());
  for (std::size_t i = 0; i < tokens.size() && i < parameters.size(); ++i) {
    values[i] = parameters[i].values.at(static_cast<std::size_t>(tokens[i]));
  }
  return values;
}

bool known(std::span<const std::int64_t> tokens, int parameter) {
  return parameter >= 0 && static_cast<std::size_t>(parameter) < tokens.size();
}

int min_count(const HyperModule& repeat) {
  if (repeat.parameter < 0) return repeat.fixed_count;
  return *std::min_element(repeat.counts.begin(), repeat.counts.end());
}

// The order (module indices) a permutation parameter's value text names.
std::vector<int> order_of(const HyperValue& value) {
  std::vector<int> order;
  std::stringstream in(value.text);
  std::string part;
  while (std::getline(in, part, '-')) order.push_back(std::stoi(part));
  return order;
}

}  // namespace

// --- Parameters --------------------------------------------------------------

HyperParameter choice_parameter(std::string name, const std::vector<std::string>& options) {
  HyperParameter p{std::move(name), HyperParameterKind::kChoice, {}};
  for (std::size_t i = 0; i < options.size(); ++i) p.values.push_back({double(i), options[i]});
  return finished(std::move(p));
}

HyperParameter choice_parameter(std::string name, const std::vector<double>& options) {
  HyperParameter p{std::move(name), HyperParameterKind::kChoice, {}};
  for (double option : options) p.values.push_back(number_value(option));
  return finished(std::move(p));
}

HyperParameter bool_parameter(std::string name) {
  return finished({std::move(name), HyperParameterKind::kBool, {{0.0, "false"}, {1.0, "true"}}});
}

HyperParameter int_parameter(std::string name, std::int64_t low, std::int64_t high, std::int64_t step) {
  if (step <= 0 || low > high) {
    throw OptionError("hyper-parameter '" + name + "': Int(" + std::to_string(low) + ", " + std::to_string(high) +
                      ", step " + std::to_string(step) + ") needs low <= high and step > 0");
  }
  HyperParameter p{std::move(name), HyperParameterKind::kInt, {}};
  for (std::int64_t v = low; v <= high; v += step) p.values.push_back(number_value(double(v)));
  return finished(std::move(p));
}

HyperParameter real_parameter(std::string name, double low, double high, double step) {
  if (!(step > 0) || !(low <= high)) {
    throw OptionError("hyper-parameter '" + name + "': Real(" + compact(low) + ", " + compact(high) + ", step " +
                      compact(step) + ") needs low <= high and step > 0");
  }
  HyperParameter p{std::move(name), HyperParameterKind::kReal, {}};
  const auto n = static_cast<std::int64_t>(std::floor((high - low) / step + 1e-9));
  // Values snapped to the step as Hypernets' Real does, rounded to 12
  // digits so 0.1 * 3 prints as 0.3.
  for (std::int64_t i = 0; i <= n; ++i) {
    const double v = std::round((low + double(i) * step) * 1e12) / 1e12;
    p.values.push_back(number_value(v));
  }
  return finished(std::move(p));
}

HyperParameter log_real_parameter(std::string name, double low, double high, int points) {
  if (!(low > 0) || !(low < high) || points < 2) {
    throw OptionError("hyper-parameter '" + name + "': log-uniform Real(" + compact(low) + ", " + compact(high) + ", " +
                      std::to_string(points) + " points) needs 0 < low < high and at least 2 points");
  }
  HyperParameter p{std::move(name), HyperParameterKind::kLogReal, {}};
  for (int i = 0; i < points; ++i) {
    const double v = std::exp(std::log(low) + (std::log(high) - std::log(low)) * i / (points - 1));
    p.values.push_back(number_value(std::stod(compact(v))));
  }
  return finished(std::move(p));
}

HyperAttribute constant_attribute(std::string name, HyperValue value) {
  return {std::move(name), {}, [value](const HyperBinding&) { return value; }};
}

HyperAttribute parameter_attribute(std::string name, int parameter) {
  return {std::move(name), {parameter}, [parameter](const HyperBinding& b) { return b[parameter]; }};
}

HyperModule layer_module(std::string op, std::vector<HyperAttribute> attributes) {
  HyperModule m;
  m.kind = HyperModule::Kind::kLayer;
  m.op = std::move(op);
  m.attributes = std::move(attributes);
  return m;
}

HyperModule sequential_module(std::vector<HyperModule> children) {
  HyperModule m;
  m.kind = HyperModule::Kind::kSequential;
  m.children = std::move(children);
  return m;
}

// --- Definition --------------------------------------------------------------

int HyperSpaceDefinition::add(HyperParameter parameter) {
  for (const HyperParameter& p : parameters) {
    if (p.name == parameter.name) throw OptionError("hyper-parameter '" + p.name + "' is declared twice");
  }
  parameters.push_back(std::move(parameter));
  return static_cast<int>(parameters.size()) - 1;
}

HyperModule HyperSpaceDefinition::repeat(const std::string& name, const std::vector<int>& counts,
                                         const std::function<HyperModule(int)>& body) {
  if (counts.empty() || *std::min_element(counts.begin(), counts.end()) < 0) {
    throw OptionError("hyper-space repeat '" + name + "' needs one or more counts >= 0");
  }
  HyperModule m;
  m.kind = HyperModule::Kind::kRepeat;
  if (counts.size() == 1) {
    m.fixed_count = counts.front();
  } else {
    std::vector<double> numbers(counts.begin(), counts.end());
    HyperParameter p = choice_parameter(name, numbers);
    p.kind = HyperParameterKind::kInt;  // counts are ordered
    m.parameter = add(std::move(p));
    m.counts = counts;
  }
  const int most = *std::max_element(counts.begin(), counts.end());
  for (int step = 0; step < most; ++step) m.children.push_back(body(step));
  return m;
}

HyperModule HyperSpaceDefinition::optional(int bool_parameter_index, HyperModule module) {
  HyperModule m;
  m.kind = HyperModule::Kind::kOptional;
  m.parameter = bool_parameter_index;
  m.children.push_back(std::move(module));
  return m;
}

HyperParameter HyperSpaceDefinition::permutation_parameter(std::string name, int n) {
  std::vector<int> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  HyperParameter p{std::move(name), HyperParameterKind::kChoice, {}, n};
  do {
    std::string text;
    for (int i : order) {
      if (!text.empty()) text += '-';
      text += std::to_string(i);
    }
    p.values.push_back({double(p.values.size()), text});
  } while (std::next_permutation(order.begin(), order.end()));
  return finished(std::move(p));
}

HyperModule HyperSpaceDefinition::permutation(const std::string& name, std::vector<HyperModule> modules) {
  const int n = static_cast<int>(modules.size());
  return permutation(add(permutation_parameter(name, n)), std::move(modules));
}

HyperModule HyperSpaceDefinition::permutation(int shared, std::vector<HyperModule> modules) {
  if (parameters.at(static_cast<std::size_t>(shared)).permutation_size != static_cast<int>(modules.size())) {
    throw OptionError("hyper-parameter '" + parameters[static_cast<std::size_t>(shared)].name +
                      "' is not an order of " + std::to_string(modules.size()) + " modules");
  }
  HyperModule m;
  m.kind = HyperModule::Kind::kPermutation;
  m.parameter = shared;
  m.children = std::move(modules);
  return m;
}

HyperModule HyperSpaceDefinition::choice(const std::string& name, std::vector<HyperModule> modules) {
  std::vector<std::string> options;
  for (std::size_t i = 0; i < modules.size(); ++i) options.push_back(std::to_string(i));
  return choice(add(choice_parameter(name, options)), std::move(modules));
}

HyperModule HyperSpaceDefinition::choice(int shared, std::vector<HyperModule> modules) {
  HyperModule m;
  m.kind = HyperModule::Kind::kChoice;
  m.parameter = shared;
  m.children = std::move(modules);
  return m;
}

// --- Layers ------------------------------------------------------------------

std::string HyperLayer::text() const {
  std::string out = op;
  if (attributes.empty()) return out;
  out += "(";
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    out += (i ? "," : "") + attributes[i].first + "=" + attributes[i].second.text;
  }
  return out + ")";
}

double HyperLayer::number(const std::string& attribute) const {
  for (const auto& [name, value] : attributes) {
    if (name != attribute) continue;
    if (const auto v = parse_number(value.text)) return *v;
    throw ArchError("layer " + text() + ": attribute '" + attribute + "' is not a number");
  }
  throw ArchError("layer " + text() + " has no attribute '" + attribute + "'");
}

const std::string& HyperLayer::word(const std::string& attribute) const {
  for (const auto& [name, value] : attributes) {
    if (name == attribute) return value.text;
  }
  throw ArchError("layer " + text() + " has no attribute '" + attribute + "'");
}

HyperLayer parse_hyper_layer(const std::string& text) {
  HyperLayer layer;
  const auto open = text.find('(');
  layer.op = text.substr(0, open);
  if (open != std::string::npos) {
    if (text.back() != ')') throw ArchParseError("hyper-space layer '" + text + "' lacks its closing ')'");
    std::stringstream in(text.substr(open + 1, text.size() - open - 2));
    std::string part;
    while (std::getline(in, part, ',')) {
      const auto eq = part.find('=');
      if (eq == std::string::npos)
        throw ArchParseError("hyper-space layer '" + text + "': '" + part + "' is not name=value");
      HyperValue value;
      value.text = part.substr(eq + 1);
      value.number = parse_number(value.text).value_or(0.0);
      layer.attributes.emplace_back(part.substr(0, eq), value);
    }
  }
  if (!vocabulary().contains(layer.op))
    throw ArchParseError("hyper-space layer '" + text + "': unknown op '" + layer.op + "'");
  return layer;
}

// --- The space ---------------------------------------------------------------

namespace {

// The parameters that can make `m` compute nothing: Optional switches and
// dropout rates within it (a rate of 0 is the identity).
std::vector<int> emptying_parameters(const HyperModule& m) {
  std::vector<int> out;
  if (m.kind == HyperModule::Kind::kOptional) out.push_back(m.parameter);
  if (m.kind == HyperModule::Kind::kLayer && m.op == "dropout") {
    for (const HyperAttribute& a : m.attributes) out.insert(out.end(), a.reads.begin(), a.reads.end());
  }
  for (const HyperModule& c : m.children) {
    const std::vector<int> inner = emptying_parameters(c);
    out.insert(out.end(), inner.begin(), inner.end());
  }
  return out;
}

struct Checker {
  const std::vector<HyperParameter>& parameters;
  std::vector<bool> read;
  std::vector<bool> read_always;  // read by a module no gate encloses
  std::vector<int> latest_gate;   // per parameter: the latest-declared gate enclosing a read (-1: none)

  void read_under(int parameter, const std::vector<int>& gates) {
    const auto p = static_cast<std::size_t>(parameter);
    read.at(p) = true;
    if (gates.empty()) read_always[p] = true;
    for (int gate : gates) latest_gate[p] = std::max(latest_gate[p], gate);
  }

  // A parameter read only under gates must be declared after all of them,
  // so that its activity is known when its token is drawn.
  void check_order() const {
    for (std::size_t p = 0; p < parameters.size(); ++p) {
      if (!read_always[p] && latest_gate[p] >= static_cast<int>(p)) {
        throw OptionError("hyper-parameter '" + parameters[p].name + "' is read under the gate '" +
                          parameters[static_cast<std::size_t>(latest_gate[p])].name +
                          "', which is declared after it; declare gates first");
      }
    }
  }

  void visit(const HyperModule& m, std::vector<int> gates) {
    switch (m.kind) {
      case HyperModule::Kind::kLayer:
        if (!vocabulary().contains(m.op))
          throw OptionError("hyper-space layer op '" + m.op + "' is not one the sequential network builds");
        for (const HyperAttribute& a : m.attributes) {
          for (int r : a.reads) read_under(r, gates);
        }
        return;
      case HyperModule::Kind::kSequential:
        for (const HyperModule& c : m.children) visit(c, gates);
        return;
      case HyperModule::Kind::kPermutation:
        read_under(m.parameter, gates);
        for (const HyperModule& c : m.children) {
          // What can empty a module (an Optional's switch, a dropout's rate)
          // must be decided before the order, or orders that differ only in
          // where an empty module goes would all stay legal.
          for (int p : emptying_parameters(c)) {
            if (p > m.parameter) {
              throw OptionError("hyper-parameter '" + parameters[static_cast<std::size_t>(p)].name +
                                "' can empty a module that the order '" +
                                parameters[static_cast<std::size_t>(m.parameter)].name +
                                "' arranges, but is declared after it; declare it first");
            }
          }
          visit(c, gates);
        }
        return;
      case HyperModule::Kind::kRepeat: {
        if (m.parameter >= 0) read_under(m.parameter, gates);
        const int always = min_count(m);
        for (std::size_t step = 0; step < m.children.size(); ++step) {
          std::vector<int> inner = gates;
          if (static_cast<int>(step) >= always) inner.push_back(m.parameter);
          visit(m.children[step], inner);
        }
        return;
      }
      case HyperModule::Kind::kOptional:
      case HyperModule::Kind::kChoice: {
        read_under(m.parameter, gates);
        const HyperParameter& p = parameters.at(static_cast<std::size_t>(m.parameter));
        if (m.kind == HyperModule::Kind::kChoice && p.values.size() != m.children.size()) {
          throw OptionError("hyper-parameter '" + p.name + "' has " + std::to_string(p.values.size()) +
                            " values for a choice of " + std::to_string(m.children.size()) + " modules");
        }
        if (m.kind == HyperModule::Kind::kOptional && p.values.size() != 2) {
          throw OptionError("hyper-parameter '" + p.name + "' gates an optional module and must be a Bool");
        }
        gates.push_back(m.parameter);
        for (const HyperModule& c : m.children) visit(c, gates);
        return;
      }
    }
  }
};

// Whether a module is known, from the prefix, to compute nothing.
bool known_empty(const HyperModule& m, std::span<const std::int64_t> tokens, const HyperBinding& binding) {
  switch (m.kind) {
    case HyperModule::Kind::kLayer: {
      if (m.op != "dropout") return false;
      for (const HyperAttribute& a : m.attributes) {
        if (a.name != "rate") continue;
        for (int r : a.reads) {
          if (!known(tokens, r)) return false;
        }
        return a.derive(binding).number == 0.0;
      }
      return false;
    }
    case HyperModule::Kind::kSequential:
    case HyperModule::Kind::kPermutation:
      return std::all_of(m.children.begin(), m.children.end(),
                         [&](const HyperModule& c) { return known_empty(c, tokens, binding); });
    case HyperModule::Kind::kRepeat: {
      int count = m.parameter < 0 ? m.fixed_count : -1;
      if (m.parameter >= 0 && known(tokens, m.parameter))
        count = m.counts[static_cast<std::size_t>(tokens[m.parameter])];
      if (count < 0) return false;
      for (int step = 0; step < count; ++step) {
        if (!known_empty(m.children[static_cast<std::size_t>(step)], tokens, binding)) return false;
      }
      return true;
    }
    case HyperModule::Kind::kOptional:
      if (known(tokens, m.parameter) && tokens[m.parameter] == 0) return true;
      return known_empty(m.children.front(), tokens, binding);
    case HyperModule::Kind::kChoice:
      return known(tokens, m.parameter) &&
             known_empty(m.children[static_cast<std::size_t>(tokens[m.parameter])], tokens, binding);
  }
  return false;
}

// Visits every module the known prefix makes active (an undecided gate:
// only what it runs whatever its value), with the binding of the prefix.
template <class Visit>
void for_active(const HyperModule& m, std::span<const std::int64_t> tokens, HyperBinding& binding, Visit&& visit) {
  visit(m, binding);
  switch (m.kind) {
    case HyperModule::Kind::kLayer:
      return;
    case HyperModule::Kind::kSequential:
    case HyperModule::Kind::kPermutation:
      for (const HyperModule& c : m.children) for_active(c, tokens, binding, visit);
      return;
    case HyperModule::Kind::kRepeat: {
      int count = min_count(m);
      if (m.parameter >= 0 && known(tokens, m.parameter))
        count = m.counts[static_cast<std::size_t>(tokens[m.parameter])];
      for (int step = 0; step < count; ++step) {
        for_active(m.children[static_cast<std::size_t>(step)], tokens, binding, visit);
      }
      return;
    }
    case HyperModule::Kind::kOptional:
      if (known(tokens, m.parameter) && tokens[m.parameter] == 1)
        for_active(m.children.front(), tokens, binding, visit);
      return;
    case HyperModule::Kind::kChoice:
      if (known(tokens, m.parameter)) {
        for_active(m.children[static_cast<std::size_t>(tokens[m.parameter])], tokens, binding, visit);
      }
      return;
  }
}

// Appends the layers of `m` while every parameter they need is known.
bool realise_into(const HyperModule& m, std::span<const std::int64_t> tokens, HyperBinding& binding,
                  std::vector<HyperLayer>& out) {
  switch (m.kind) {
    case HyperModule::Kind::kLayer: {
      HyperLayer layer{m.op, {}};
      for (const HyperAttribute& a : m.attributes) {
        for (int r : a.reads) {
          if (!known(tokens, r)) return false;
        }
        layer.attributes.emplace_back(a.name, a.derive(binding));
      }
      if (m.op == "dropout" && layer.number("rate") == 0.0) return true;  // the identity
      out.push_back(std::move(layer));
      return true;
    }
    case HyperModule::Kind::kSequential:
      for (const HyperModule& c : m.children) {
        if (!realise_into(c, tokens, binding, out)) return false;
      }
      return true;
    case HyperModule::Kind::kPermutation: {
      if (!known(tokens, m.parameter)) return false;
      for (int i : order_of((*binding.values)[static_cast<std::size_t>(m.parameter)])) {
        if (!realise_into(m.children[static_cast<std::size_t>(i)], tokens, binding, out)) return false;
      }
      return true;
    }
    case HyperModule::Kind::kRepeat: {
      int count = m.fixed_count;
      if (m.parameter >= 0) {
        if (!known(tokens, m.parameter)) return false;
        count = m.counts[static_cast<std::size_t>(tokens[m.parameter])];
      }
      for (int step = 0; step < count; ++step) {
        if (!realise_into(m.children[static_cast<std::size_t>(step)], tokens, binding, out)) return false;
      }
      return true;
    }
    case HyperModule::Kind::kOptional:
      if (!known(tokens, m.parameter)) return false;
      return tokens[m.parameter] == 0 || realise_into(m.children.front(), tokens, binding, out);
    case HyperModule::Kind::kChoice:
      if (!known(tokens, m.parameter)) return false;
      return realise_into(m.children[static_cast<std::size_t>(tokens[m.parameter])], tokens, binding, out);
  }
  return false;
}

}  // namespace

HyperSpace::HyperSpace(std::string name, Params params, HyperSpaceDefinition definition)
    : SearchSpace(std::move(name), std::move(params)), definition_(std::move(definition)) {
  const std::size_t n = definition_.parameters.size();
  Checker checker{definition_.parameters, std::vector<bool>(n, false), std::vector<bool>(n, false),
                  std::vector<int>(n, -1)};
  checker.visit(definition_.root, {});
  for (std::size_t i = 0; i < definition_.parameters.size(); ++i) {
    const HyperParameter& p = definition_.parameters[i];
    check_values(p);
    if (!checker.read[i]) throw OptionError("hyper-parameter '" + p.name + "' is never read by a module");
  }
  checker.check_order();
  for (std::size_t i = 0; i < n; ++i) {
    const HyperParameter& p = definition_.parameters[i];
    const bool ordered = p.kind == HyperParameterKind::kInt || p.kind == HyperParameterKind::kReal ||
                         p.kind == HyperParameterKind::kLogReal;
    decisions_.push_back(Decision{ordered ? DecisionKind::kOrdinal : DecisionKind::kCategory,
                                  static_cast<std::int64_t>(p.values.size()), 0, static_cast<int>(i), 0});
  }
  // A parameter whose value can change what later tokens may be: a gate
  // (what is active), or what can empty a module (which orders are distinct).
  structural_.assign(n, false);
  for (int p : emptying_parameters(definition_.root)) structural_[static_cast<std::size_t>(p)] = true;
  std::function<void(const HyperModule&)> mark_gates = [&](const HyperModule& m) {
    if ((m.kind == HyperModule::Kind::kRepeat || m.kind == HyperModule::Kind::kChoice) && m.parameter >= 0) {
      structural_[static_cast<std::size_t>(m.parameter)] = true;
    }
    for (const HyperModule& c : m.children) mark_gates(c);
  };
  mark_gates(definition_.root);
}

std::vector<bool> HyperSpace::active(std::span<const std::int64_t> tokens) const {
  std::vector<bool> read(definition_.parameters.size(), false);
  const std::vector<HyperValue> values = values_of(definition_.parameters, tokens);
  HyperBinding binding{&values};
  for_active(definition_.root, tokens, binding, [&](const HyperModule& m, const HyperBinding&) {
    if (m.parameter >= 0) read[static_cast<std::size_t>(m.parameter)] = true;
    for (const HyperAttribute& a : m.attributes) {
      for (int r : a.reads) read[static_cast<std::size_t>(r)] = true;
    }
  });
  return read;
}

std::vector<bool> HyperSpace::legal_orders(int parameter, std::span<const std::int64_t> prefix) const {
  const HyperParameter& p = definition_.parameters[static_cast<std::size_t>(parameter)];
  std::vector<bool> legal(p.values.size(), true);
  const std::vector<HyperValue> values = values_of(definition_.parameters, prefix);
  HyperBinding binding{&values};
  // Per permutation module of this parameter, which of its modules are empty.
  std::vector<std::vector<bool>> empties;
  for_active(definition_.root, prefix, binding, [&](const HyperModule& m, const HyperBinding& b) {
    if (m.kind != HyperModule::Kind::kPermutation || m.parameter != parameter) return;
    std::vector<bool> empty;
    for (const HyperModule& c : m.children) empty.push_back(known_empty(c, prefix, b));
    empties.push_back(std::move(empty));
  });
  std::set<std::vector<std::vector<int>>> seen;
  for (std::size_t v = 0; v < p.values.size(); ++v) {
    std::vector<std::vector<int>> effective;
    for (const std::vector<bool>& empty : empties) {
      std::vector<int> order;
      for (int i : order_of(p.values[v])) {
        if (!empty[static_cast<std::size_t>(i)]) order.push_back(i);
      }
      effective.push_back(std::move(order));
    }
    legal[v] = seen.insert(std::move(effective)).second;
  }
  return legal;
}

std::vector<bool> HyperSpace::legal_choices(std::span<const std::int64_t> prefix) const {
  const std::size_t position = prefix.size();
  const HyperParameter& p = definition_.parameters.at(position);
  if (!active(prefix)[position]) {
    std::vector<bool> only_zero(p.values.size(), false);
    only_zero[0] = true;
    return only_zero;
  }
  if (p.permutation_size > 0) return legal_orders(static_cast<int>(position), prefix);
  return std::vector<bool>(p.values.size(), true);
}

std::vector<HyperLayer> HyperSpace::realise(std::span<const std::int64_t> tokens, bool& complete) const {
  const std::vector<HyperValue> values = values_of(definition_.parameters, tokens);
  HyperBinding binding{&values};
  std::vector<HyperLayer> layers;
  complete = realise_into(definition_.root, tokens, binding, layers);
  return layers;
}

std::vector<HyperLayer> HyperSpace::layers(const Arch& arch) const {
  validate(arch);
  bool complete = false;
  std::vector<HyperLayer> out = realise(arch.tokens, complete);
  if (!complete) throw ArchError(spec() + ": architecture " + join_tokens(arch.tokens) + " does not build a network");
  return out;
}

std::string HyperSpace::assignment_text(const Arch& arch) const {
  validate(arch);
  const std::vector<bool> read = active(arch.tokens);
  std::string text;
  for (std::size_t i = 0; i < definition_.parameters.size(); ++i) {
    if (!read[i]) continue;
    const HyperParameter& p = definition_.parameters[i];
    if (!text.empty()) text += ' ';
    text += p.name + "=" + p.values[static_cast<std::size_t>(arch.tokens[i])].text;
  }
  return "{" + text + "}";
}

ArchGraph HyperSpace::decode(const Arch& arch) const {
  std::vector<std::string> texts;
  for (const HyperLayer& layer : layers(arch)) texts.push_back(layer.text());
  CellGraph graph;
  graph[boost::graph_bundle] = CellGraphInfo{CellRole::kLayers, Combine::kConcat};
  Vertex previous = boost::add_vertex(NodeInfo{NodeKind::kCellInput, 0, "input", ""}, graph);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const Vertex v = boost::add_vertex(
        NodeInfo{NodeKind::kIntermediate, static_cast<int>(i), "layer " + std::to_string(i), texts[i]}, graph);
    boost::add_edge(previous, v, EdgeInfo{-1, "identity", 0}, graph);
    previous = v;
  }
  const Vertex out = boost::add_vertex(NodeInfo{NodeKind::kOutput, 0, "output", ""}, graph);
  boost::add_edge(previous, out, EdgeInfo{-1, "identity", 0}, graph);
  return ArchGraph{spec(), {std::move(graph)}};
}

bool HyperSpace::encode_from(std::vector<std::int64_t>& tokens, const std::vector<std::string>& target) const {
  bool complete = false;
  const std::vector<HyperLayer> built = realise(tokens, complete);
  if (built.size() > target.size()) return false;
  for (std::size_t i = 0; i < built.size(); ++i) {
    if (built[i].text() != target[i]) return false;
  }
  if (tokens.size() == num_tokens()) return complete && built.size() == target.size();
  const std::vector<bool> legal = legal_choices(tokens);
  for (std::size_t v = 0; v < legal.size(); ++v) {
    if (!legal[v]) continue;
    tokens.push_back(static_cast<std::int64_t>(v));
    if (encode_from(tokens, target)) return true;
    tokens.pop_back();
  }
  return false;
}

Arch HyperSpace::encode(const ArchGraph& graph) const {
  if (graph.space != spec()) throw ArchError("an architecture of " + graph.space + " is not one of " + spec());
  if (graph.cells.size() != 1) throw ArchError(spec() + ": a hyper-space network is one layer stack");
  std::vector<std::string> target;
  const CellGraph& stack = graph.cells.front();
  for (Vertex v = 0; v < boost::num_vertices(stack); ++v) {
    if (stack[v].kind == NodeKind::kIntermediate) target.push_back(stack[v].node_op);
  }
  std::vector<std::int64_t> tokens;
  if (!encode_from(tokens, target)) throw ArchError(spec() + ": no architecture of the space builds this network");
  return make_arch(std::move(tokens));
}

std::string HyperSpace::to_string(const Arch& arch, const std::string& format) const {
  check_format(format);
  if (format == "arc") return join_tokens(arch.tokens);
  return assignment_text(arch);
}

Arch HyperSpace::parse_text(const std::string& text) const {
  if (text.empty() || text.front() != '{') return SearchSpace::parse_text(text);
  if (text.back() != '}') throw ArchParseError(spec() + ": '" + text + "' lacks its closing '}'");
  // {name=value ...}, spaces or commas between; parameters not named are
  // inactive (token 0).
  std::string inner = text.substr(1, text.size() - 2);
  std::replace(inner.begin(), inner.end(), ',', ' ');
  std::map<std::string, std::string> given;
  std::stringstream in(inner);
  std::string word;
  while (in >> word) {
    const auto eq = word.find('=');
    if (eq == std::string::npos) throw ArchParseError(spec() + ": '" + word + "' is not name=value");
    given[word.substr(0, eq)] = word.substr(eq + 1);
  }
  std::vector<std::int64_t> tokens;
  for (std::size_t i = 0; i < definition_.parameters.size(); ++i) {
    const HyperParameter& p = definition_.parameters[i];
    const auto it = given.find(p.name);
    if (it == given.end()) {
      tokens.push_back(0);
      continue;
    }
    std::int64_t index = -1;
    for (std::size_t v = 0; v < p.values.size(); ++v) {
      if (p.values[v].text == it->second) index = static_cast<std::int64_t>(v);
    }
    if (index < 0) {
      std::string legal;
      for (const HyperValue& v : p.values) legal += (legal.empty() ? "" : ", ") + v.text;
      throw ArchParseError(spec() + ": " + p.name + "=" + it->second + " is not a value of " + p.name + " (" + legal +
                           ")");
    }
    tokens.push_back(index);
    given.erase(it);
  }
  if (!given.empty()) throw ArchParseError(spec() + ": no hyper-parameter named '" + given.begin()->first + "'");
  Arch arch = make_arch(std::move(tokens));
  validate(arch);
  return arch;
}

void HyperSpace::count_from(std::vector<std::int64_t>& tokens, BigCount& total) const {
  // Counts completions of `tokens`; a value of a parameter that changes no
  // later legality counts once, times the number of its legal values.
  BigCount factor = 1;
  std::size_t start = tokens.size();
  while (tokens.size() < num_tokens()) {
    const std::size_t position = tokens.size();
    const std::vector<bool> legal = legal_choices(tokens);
    const auto n = static_cast<std::uint64_t>(std::count(legal.begin(), legal.end(), true));
    if (structural_[position] && n > 1) {
      BigCount sub = 0;
      for (std::size_t v = 0; v < legal.size(); ++v) {
        if (!legal[v]) continue;
        tokens.push_back(static_cast<std::int64_t>(v));
        count_from(tokens, sub);
        tokens.pop_back();
      }
      total += factor * sub;
      tokens.resize(start);
      return;
    }
    factor *= n;
    tokens.push_back(static_cast<std::int64_t>(std::find(legal.begin(), legal.end(), true) - legal.begin()));
  }
  total += factor;
  tokens.resize(start);
}

BigCount HyperSpace::size() const {
  std::vector<std::int64_t> tokens;
  BigCount total = 0;
  count_from(tokens, total);
  return total;
}

std::string HyperSpace::describe_decision(std::size_t position) const {
  return "hyper-parameter '" + definition_.parameters.at(position).name + "'";
}

}  // namespace spaces
