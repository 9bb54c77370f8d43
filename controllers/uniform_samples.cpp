#include "controllers/uniform_samples.h"

namespace controllers {

std::vector<spaces::Arch> uniform_samples(const spaces::SearchSpace& space, int n, spaces::Rng& rng) {
  std::vector<spaces::Arch> archs;
  for (int i = 0; i < n; ++i) archs.push_back(space.random(rng));
  return archs;
}

}  // namespace controllers
