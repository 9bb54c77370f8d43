#include "experiments/search/metrics_text.h"

#include <sstream>
#include <stdexcept>

#include "spaces/arch.h"

namespace experiments {

std::string metrics_text(const controllers::Metrics& metrics) {
  std::string text;
  for (const auto& [name, value] : metrics) {
    text += (text.empty() ? "" : ",") + name + "=" + spaces::round_trip_text(value);
  }
  return text;
}

controllers::Metrics metrics_from_text(const std::string& text) {
  controllers::Metrics metrics;
  std::istringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) throw std::invalid_argument("unreadable metric '" + item + "'");
    metrics[item.substr(0, eq)] = std::stod(item.substr(eq + 1));
  }
  return metrics;
}

}  // namespace experiments
