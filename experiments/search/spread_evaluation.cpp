#include "experiments/search/spread_evaluation.h"

#include <sstream>
#include <string>

#include "experiments/search/metrics_text.h"

namespace experiments {

std::vector<controllers::Metrics> evaluate_spread(const World& world, std::size_t count,
                                                  const std::function<std::uint64_t(std::size_t)>& key,
                                                  const std::function<controllers::Metrics(std::size_t)>& measure,
                                                  const std::function<void(std::size_t)>& pass_over) {
  const auto ranks = static_cast<std::size_t>(world.size()), rank = static_cast<std::size_t>(world.rank());
  std::vector<controllers::Metrics> metrics(count);
  std::string mine;  // one line per item of this rank, in order: "<index> <key> <metrics>"
  for (std::size_t i = 0; i < count; ++i) {
    if (i % ranks != rank) {
      pass_over(i);
      continue;
    }
    metrics[i] = measure(i);
    mine += std::to_string(i) + " " + std::to_string(key(i)) + " " + metrics_text(metrics[i]) + "\n";
  }
  const std::vector<std::string> gathered = world.all_gather(mine, /*patient=*/true);
  const auto disagree = [&](std::size_t r, const std::string& what) {
    return DistributedError("rank " + std::to_string(rank) + " of " + std::to_string(ranks) + ": rank " +
                            std::to_string(r) + " " + what + " (ranks disagree on the candidates)");
  };
  for (std::size_t r = 0; r < ranks; ++r) {
    if (r == rank) continue;
    std::istringstream lines(gathered[r]);
    std::string line;
    for (std::size_t i = r; i < count; i += ranks) {
      if (!std::getline(lines, line))
        throw disagree(r, "sent fewer evaluations than its share of " + std::to_string(count));
      std::istringstream fields(line);
      std::size_t index = 0;
      std::uint64_t sent_key = 0;
      std::string text;
      fields >> index >> sent_key;
      std::getline(fields >> std::ws, text);
      if (index != i || sent_key != key(i)) {
        throw disagree(r, "measured another candidate as item " + std::to_string(i) + " of " + std::to_string(count));
      }
      metrics[i] = metrics_from_text(text);
    }
    if (std::getline(lines, line))
      throw disagree(r, "sent more evaluations than its share of " + std::to_string(count));
  }
  return metrics;
}

}  // namespace experiments
