#pragma once
// MNIST-format (IDX) readers: MNIST and Fashion-MNIST, gzip-compressed or
// not (zlib reads both). Checks the magic number, the dimensions and that
// the file holds exactly the bytes its header announces; a truncated, padded
// or foreign file is a DataError naming the file and what is wrong.

#include <string>

#include "experiments/data/dataset.h"

namespace experiments {

// Debian's dataset-fashion-mnist installs here.
inline constexpr const char* kDefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// images: IDX3 ubyte (magic 0x00000803), labels: IDX1 ubyte (magic 0x00000801).
Dataset read_idx_dataset(const std::string& images_path, const std::string& labels_path, const std::string& name);

// `split` is "train" or "test": reads {dir}/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].
Dataset load_mnist_format(const std::string& dir, const std::string& split, const std::string& name);

}  // namespace experiments
