#pragma once
// Loads the training or test split of a named data set: "fashion-mnist"
// (from `path`, or Debian's dataset-fashion-mnist when empty), "mnist"
// (IDX files at `path`), "cifar10" (binary batches at `path`).

#include <string>

#include "experiments/data/dataset.h"

namespace experiments {

Dataset load_dataset(const std::string& name, const std::string& path, const std::string& split);

// The image shape and class count of a named data set, without reading it.
struct DatasetShape {
  std::int64_t channels = 1, image_size = 28, num_classes = 10;
};
DatasetShape dataset_shape(const std::string& name);

}  // namespace experiments
