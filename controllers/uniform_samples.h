#pragma once
// Controller::sample for strategies whose weight-training paths are
// uniform over the space (random search and the trial searchers: grid,
// bayes_opt, mcts): n architectures drawn by SearchSpace::random.

#include <vector>

#include "spaces/search_space.h"

namespace controllers {

// n <= 0: none.
std::vector<spaces::Arch> uniform_samples(const spaces::SearchSpace& space, int n, spaces::Rng& rng);

}  // namespace controllers
