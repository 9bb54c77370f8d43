#pragma once
// Loads the training or test split of a named data set: "fashion-mnist"
// (from `path`, or Debian's dataset-fashion-mnist when empty), "mnist"
// (IDX files at `path`), "cifar10" (binary batches at `path`).

#include <string>

#include "experiments/data/dataset.h"

namespace experiments {

Dataset load_dataset(const std::string& name, const std::string& path, const std::string& split);

}  // namespace experiments
