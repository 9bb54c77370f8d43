#include "experiments/data/load.h"

#include "experiments/data/cifar10_reader.h"
#include "experiments/data/idx_reader.h"

namespace experiments {
namespace {

const char* kKnown = "fashion-mnist, mnist, cifar10, csv";

}  // namespace

Dataset load_dataset(const DataSource& source, const std::string& split) {
  const std::string& name = source.name;
  if (name == "fashion-mnist") {
    return load_mnist_format(source.path.empty() ? kDefaultFashionMnistDir : source.path, split, name);
  }
  if (source.path.empty())
    throw DataError(name + ": needs [data] path, " + (name == "csv" ? "the CSV file" : "the directory of its files"));
  if (name == "mnist") return load_mnist_format(source.path, split, name);
  if (name == "cifar10") return load_cifar10(source.path, split);
  if (name == "csv") {
    CsvData data = read_csv_dataset(source.path, source.csv);
    return split == "test" ? std::move(data.test) : std::move(data.train);
  }
  throw DataError("unknown data set '" + name + "' (" + kKnown + ")");
}

DatasetShape dataset_shape(const DataSource& source) {
  if (source.name == "fashion-mnist" || source.name == "mnist") return {1, 28, 10};
  if (source.name == "cifar10") return {3, 32, 10};
  if (source.name == "csv") {
    const Dataset train = load_dataset(source, "train");
    return {train.channels(), 1, train.num_classes};
  }
  throw DataError("unknown data set '" + source.name + "' (" + kKnown + ")");
}

}  // namespace experiments
