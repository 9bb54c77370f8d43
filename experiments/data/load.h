#pragma once
// Loads the training or test split of a named data set: "fashion-mnist"
// (from `path`, or Debian's dataset-fashion-mnist when empty), "mnist"
// (IDX files at `path`), "cifar10" (binary batches at `path`), "csv" (a
// tabular file at `path`, split by CsvOptions: csv_reader.h).

#include <string>

#include "experiments/data/csv_reader.h"
#include "experiments/data/dataset.h"

namespace experiments {

struct DataSource {
  std::string name = "fashion-mnist";
  std::string path;  // a directory, or the CSV file
  CsvOptions csv;    // name "csv" only; the image sets ignore it
};

// `split` is "train" or "test". Throws DataError naming the file for
// missing or malformed data, and for an unknown name.
Dataset load_dataset(const DataSource& source, const std::string& split);

// The input shape and class count of a data set: without reading it for
// the image sets; a CSV file is read (its columns decide the features).
struct DatasetShape {
  std::int64_t channels = 1, image_size = 28, num_classes = 10;
};
DatasetShape dataset_shape(const DataSource& source);

}  // namespace experiments
