#include "experiments/search/search_objectives.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

#include "experiments/config/experiment_config.h"
#include "experiments/search/candidate_costs.h"
#include "experiments/search/evaluators.h"
#include "spaces/infra/trim.h"

namespace experiments {
namespace {

// "a, b ,c" -> {"a", "b", "c"}; empty items kept (as "").
std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> items;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) items.emplace_back(spaces::trim(item));
  if (!text.empty() && text.back() == ',') items.emplace_back();
  return items;
}

// 1.1 x the largest `metric` of 100 random architectures (fixed seed: the same point for every run).
double cost_reference(const std::string& metric, const spaces::SearchSpace& space, CandidateCosts& costs) {
  spaces::Rng rng(0);
  double largest = 0.0;
  for (int i = 0; i < 100; ++i) largest = std::max(largest, costs.costs(space.random(rng)).at(metric));
  return 1.1 * largest;
}

}  // namespace

controllers::ObjectiveVector SearchObjectives::of(const controllers::Metrics& metrics) const {
  controllers::ObjectiveVector values;
  for (const std::string& name : names) {
    const auto it = metrics.find(name);
    values.push_back(it == metrics.end() ? std::numeric_limits<double>::quiet_NaN()
                                         : controllers::objective_value(name, it->second));
  }
  return values;
}

controllers::ObjectiveVector SearchObjectives::oriented_reference() const {
  controllers::ObjectiveVector values;
  for (std::size_t i = 0; i < reference.size(); ++i)
    values.push_back(controllers::objective_value(names[i], reference[i]));
  return values;
}

std::vector<std::string> split_objectives(const std::string& text) { return comma_list(text); }

SearchObjectives resolve_objectives(const ExperimentConfig& config, const std::string& controller,
                                    const controllers::Capabilities& capabilities, const EvaluatorInfo& evaluator) {
  const auto& search = config.section("search");
  const bool latency = !search.get_string("latency_table").empty();
  SearchObjectives objectives;
  const std::string given = search.get_string("objectives");
  objectives.names = given.empty() ? capabilities.objectives : comma_list(given);
  const auto fail = [&](const std::string& problem) { throw config.error_at("search", "objectives", problem); };
  if (objectives.names.size() > 3) fail("at most 3 objectives (NSGA-II's hypervolume and fronts are kept for 2 or 3)");
  for (std::size_t i = 0; i < objectives.names.size(); ++i) {
    const std::string& name = objectives.names[i];
    if (name.empty()) fail("an empty objective name in '" + given + "'");
    if (std::find(objectives.names.begin(), objectives.names.begin() + long(i), name) !=
        objectives.names.begin() + long(i))
      fail("objective '" + name + "' is listed twice");
    const bool measured =
        std::find(evaluator.metrics.begin(), evaluator.metrics.end(), name) != evaluator.metrics.end() ||
        name == "params" || name == "macs" || name == "seconds" || (name == "latency_ms" && latency);
    if (!measured) {
      std::string known = std::string("params, macs, seconds") + (latency ? ", latency_ms" : "");
      for (const std::string& m : evaluator.metrics) known += ", " + m;
      fail((given.empty() ? "controller '" + controller + "' learns from '" : "objective '") + name +
           "', which evaluator '" + evaluator.name + "' does not measure (it measures: " + known +
           (latency || name != "latency_ms" ? "" : "; latency_ms needs [search] latency_table") + ")");
    }
  }
  // Strategies and the final ranking take a higher reward as better.
  if (!controllers::maximised(objectives.names.front())) {
    fail("the first objective is the reward, which strategies maximise; '" + objectives.names.front() +
         "' is minimised, so list a maximised metric (accuracy) first");
  }
  if (capabilities.multi_objective() && !objectives.multi()) {
    fail("controller '" + controller + "' is multi-objective; give 2 or 3 objectives, e.g. \"accuracy,macs\"");
  }
  if (!objectives.multi()) return objectives;

  const std::string reference = search.get_string("hypervolume_reference");
  const auto fail_reference = [&](const std::string& problem) {
    throw config.error_at("search", "hypervolume_reference", problem);
  };
  if (reference.empty()) {
    for (const std::string& name : objectives.names) {
      const bool cost = name == "params" || name == "macs" || (name == "latency_ms" && latency);
      if (name != "accuracy" && !cost) {
        fail_reference("no default reference for objective '" + name +
                       "'; give one value per objective, each in its metric's units (e.g. \"0,5\" for accuracy "
                       "and latency_ms)");
      }
    }
    return objectives;  // filled by fill_default_reference once the costs are known
  }
  const std::vector<std::string> items = comma_list(reference);
  if (items.size() != objectives.names.size()) {
    fail_reference(std::to_string(items.size()) + " values for " + std::to_string(objectives.names.size()) +
                   " objectives (" + given + ")");
  }
  for (const std::string& item : items) {
    double value = 0.0;
    const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (error != std::errc() || end != item.data() + item.size() || !std::isfinite(value)) {
      fail_reference("'" + item + "' is not a number");
    }
    objectives.reference.push_back(value);
  }
  return objectives;
}

void fill_default_reference(SearchObjectives& objectives, const spaces::SearchSpace& space, CandidateCosts& costs) {
  if (!objectives.multi() || !objectives.reference.empty()) return;
  for (const std::string& name : objectives.names) {
    objectives.reference.push_back(name == "accuracy" ? 0.0 : cost_reference(name, space, costs));
  }
}

}  // namespace experiments
