#include "experiments/data/load.h"

#include "experiments/data/cifar10_reader.h"
#include "experiments/data/idx_reader.h"

namespace experiments {

Dataset load_dataset(const std::string& name, const std::string& path, const std::string& split) {
  if (name == "fashion-mnist") return load_mnist_format(path.empty() ? kDefaultFashionMnistDir : path, split, name);
  if (path.empty()) throw DataError(name + ": needs [data] path, the directory of its files");
  if (name == "mnist") return load_mnist_format(path, split, name);
  if (name == "cifar10") return load_cifar10(path, split);
  throw DataError("unknown data set '" + name + "' (fashion-mnist, mnist, cifar10)");
}

DatasetShape dataset_shape(const std::string& name) {
  if (name == "fashion-mnist" || name == "mnist") return {1, 28, 10};
  if (name == "cifar10") return {3, 32, 10};
  throw DataError("unknown data set '" + name + "' (fashion-mnist, mnist, cifar10)");
}

}  // namespace experiments
