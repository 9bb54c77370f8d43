#include "experiments/data/split.h"

#include <numeric>
#include <random>

namespace experiments {

std::vector<std::int64_t> seeded_permutation(std::int64_t n, std::uint64_t seed) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  for (std::int64_t i = n - 1; i > 0; --i) {
    // Uniform in [0, i] by rejection, so the result does not depend on the
    // standard library's distribution implementation.
    const std::uint64_t bound = static_cast<std::uint64_t>(i) + 1;
    const std::uint64_t limit =
        std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
    std::uint64_t draw = rng();
    while (draw >= limit) draw = rng();
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(draw % bound)]);
  }
  return order;
}

TrainValidationSplit split_train_validation(const Dataset& data, std::int64_t validation_size, std::uint64_t seed) {
  if (validation_size <= 0 || validation_size >= data.size()) {
    throw std::invalid_argument("validation size " + std::to_string(validation_size) + " must be in [1, " +
                                std::to_string(data.size() - 1) + "] for " + data.name);
  }
  const std::vector<std::int64_t> order = seeded_permutation(data.size(), seed);
  const torch::Tensor all = torch::tensor(order, torch::kInt64);
  return {data.subset(all.narrow(0, validation_size, data.size() - validation_size), data.name + " (train split)"),
          data.subset(all.narrow(0, 0, validation_size), data.name + " (validation split)")};
}

}  // namespace experiments
