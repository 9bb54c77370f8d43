#include "experiments/search/spread_evaluation.h"

#include <sstream>
#include <string>

#include "experiments/search/metrics_text.h"

namespace experiments {

std::vector<controllers::Metrics> evaluate_spread(const World& world, std::size_t count,
                                                  const std::function<controllers::Metrics(std::size_t)>& measure,
                                                  const std::function<void(std::size_t)>& pass_over) {
  const auto ranks = static_cast<std::size_t>(world.size()), rank = static_cast<std::size_t>(world.rank());
  std::vector<controllers::Metrics> metrics(count);
  std::string mine;  // one line per item of this rank, in order
  for (std::size_t i = 0; i < count; ++i) {
    if (i % ranks != rank) {
      pass_over(i);
      continue;
    }
    metrics[i] = measure(i);
    mine += metrics_text(metrics[i]) + "\n";
  }
  const std::vector<std::string> gathered = world.all_gather(mine);
  for (std::size_t r = 0; r < ranks; ++r) {
    if (r == rank) continue;
    std::istringstream lines(gathered[r]);
    std::string line;
    for (std::size_t i = r; i < count; i += ranks) {
      if (!std::getline(lines, line)) {
        throw DistributedError("rank " + std::to_string(r) + " sent fewer evaluations than its share of " +
                               std::to_string(count) + " (ranks disagree on the candidates)");
      }
      metrics[i] = metrics_from_text(line);
    }
  }
  return metrics;
}

}  // namespace experiments
