#include "experiments/search/controller_catalog.h"

#include <cmath>
#include <ostream>

#include "controllers/controller.h"
#include "experiments/search/evaluators.h"
#include "spaces/registry.h"

namespace experiments {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

std::string range_of(const spaces::ParamSpec& spec) {
  if (!spec.choices.empty()) return "one of " + joined(spec.choices);
  if (std::holds_alternative<std::string>(spec.default_value) || std::holds_alternative<bool>(spec.default_value)) {
    return "";
  }
  if (std::isinf(spec.min) && std::isinf(spec.max)) return "";
  return "in " + spaces::range_text(spec);
}

// The strategy's schedule as declared by an instance with default options
// on the first space it searches.
std::string schedule_of(const std::string& name, const controllers::Capabilities& capabilities) {
  try {
    const std::string space_name =
        capabilities.spaces.front() == "*" ? spaces::space_registry().names().front() : capabilities.spaces.front();
    const auto controller = controllers::make_controller(name, spaces::make_space(space_name), 0);
    std::string text;
    for (const controllers::Phase& phase : controller->phases(0)) {
      text += (text.empty() ? "" : "; then ") + controllers::describe(phase);
    }
    return text;
  } catch (const std::exception& e) {
    return std::string("(not available: ") + e.what() + ")";
  }
}

}  // namespace

void print_strategy_catalog(std::ostream& out) {
  const auto& registry = controllers::controller_registry();
  out << "Strategies ([controller] name):\n";
  for (const std::string& name : registry.names()) {
    const auto& entry = registry.find(name);
    const controllers::Capabilities& c = entry.info;
    out << "\n" << name << ": " << entry.summary << "\n";
    out << "  spaces: " << (c.spaces.front() == "*" ? std::string("any") : joined(c.spaces)) << "\n";
    out << "  needs shared weights: " << (c.needs_shared_weights ? "yes" : "no")
        << "; differentiable: " << (c.differentiable ? "yes" : "no") << "; staged: " << (c.staged ? "yes" : "no")
        << "; objectives: " << joined(c.objectives) << (c.multi_objective() ? " (multi-objective)" : "") << "\n";
    out << "  each epoch: " << schedule_of(name, c) << "\n";
    if (entry.params.empty()) out << "  options: none\n";
    for (const spaces::ParamSpec& p : entry.params) {
      const std::string range = range_of(p);
      out << "  " << p.name << " = " << spaces::to_string(p.default_value) << "  (" << p.help
          << (range.empty() ? "" : "; " + range) << ")\n";
    }
  }
  out << "\nEvaluators ([search] evaluation):\n";
  for (const EvaluatorInfo& e : evaluator_catalog()) {
    out << "  " << e.name << ": " << e.summary << "; measures " << joined(e.metrics) << ", params, macs, seconds"
        << (e.reads_shared_weights ? "; reads the shared weights" : "") << "\n";
  }
}

}  // namespace experiments
