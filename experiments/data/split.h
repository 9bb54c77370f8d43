#pragma once
// The seeded split of a training set into the part child weights train on
// and the validation part the controller's rewards come from.

#include <cstdint>

#include "experiments/data/dataset.h"

namespace experiments {

struct TrainValidationSplit {
  Dataset train;
  Dataset validation;
};

// Shuffles the indices with a generator seeded by `seed` and puts the first
// `validation_size` in the validation part. The same seed gives the same
// split on every machine. Throws std::invalid_argument unless
// 0 < validation_size < data.size().
TrainValidationSplit split_train_validation(const Dataset& data, std::int64_t validation_size, std::uint64_t seed);

// A permutation of 0..n-1 from a std::mt19937_64 seeded with `seed`
// (Fisher-Yates; identical across platforms, unlike std::shuffle).
std::vector<std::int64_t> seeded_permutation(std::int64_t n, std::uint64_t seed);

}  // namespace experiments
