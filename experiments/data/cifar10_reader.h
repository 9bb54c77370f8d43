#pragma once
// CIFAR-10 from its binary batches (data_batch_1.bin .. data_batch_5.bin,
// test_batch.bin), at a path the user gives. Each record is one label byte
// and 3x32x32 image bytes; a file whose size is not a whole number of
// records, or a label above 9, is a DataError naming the file.

#include <string>

#include "experiments/data/dataset.h"

namespace experiments {

Dataset read_cifar10_batches(const std::vector<std::string>& paths, const std::string& name);
// `split` "train" (the five data batches) or "test".
Dataset load_cifar10(const std::string& dir, const std::string& split);

}  // namespace experiments
