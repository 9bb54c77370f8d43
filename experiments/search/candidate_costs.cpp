#include "experiments/search/candidate_costs.h"

#include <sstream>

#include "childnets/child_network.h"
#include "experiments/search/search_context.h"

namespace experiments {
namespace {

std::string short_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

CandidateCosts::CandidateCosts(SearchContext& context) : context_(context) {
  const auto& search = context.config.section("search");
  max_params_ = search.get_double("max_params");
  max_macs_ = search.get_double("max_macs");
}

controllers::Metrics CandidateCosts::costs(const spaces::Arch& arch) {
  const std::uint64_t key = context_.canonical_key(arch);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    const childnets::NetworkCost cost =
        childnets::measure_network(context_.space_of(arch), context_.network_options, arch);
    it = cache_
             .emplace(key,
                      controllers::Metrics{{"params", double(cost.parameters)}, {"macs", double(cost.macs_per_image)}})
             .first;
  }
  return it->second;
}

std::string CandidateCosts::violation(const spaces::Arch& arch) {
  if (!constrained()) return "";
  const controllers::Metrics cost = costs(arch);
  for (const auto& [metric, limit] : {std::pair<std::string, double>{"params", max_params_}, {"macs", max_macs_}}) {
    if (limit > 0 && cost.at(metric) > limit) {
      return metric + " " + short_number(cost.at(metric)) + " > max_" + metric + " " + short_number(limit);
    }
  }
  return "";
}

std::string CandidateCosts::describe() const {
  std::string text;
  if (max_params_ > 0) text += "params <= " + short_number(max_params_);
  if (max_macs_ > 0) text += std::string(text.empty() ? "" : ", ") + "macs <= " + short_number(max_macs_);
  return text;
}

}  // namespace experiments
