#pragma once
// The ask/tell loop of a search, for controller tests: proposals in updates
// of `per_update` until `budget` proposals (or the strategy has none left),
// each observed with `reward`; returns every proposal in order.

#include <algorithm>
#include <functional>
#include <vector>

#include "controllers/controller.h"

namespace controllers::test_support {

inline std::vector<spaces::Arch> ask_tell(Controller& controller, int budget, int per_update,
                                          const std::function<double(const spaces::Arch&)>& reward) {
  std::vector<spaces::Arch> all;
  while (static_cast<int>(all.size()) < budget) {
    const auto proposals = controller.propose(std::min(per_update, budget - static_cast<int>(all.size())));
    if (proposals.empty()) break;
    std::vector<Feedback> feedback;
    for (const Proposal& p : proposals) {
      all.push_back(p.arch);
      feedback.push_back({p.id, reward(p.arch)});
    }
    controller.observe(feedback);
  }
  return all;
}

}  // namespace controllers::test_support
