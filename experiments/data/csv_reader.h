#pragma once
// Tabular data from a CSV file, for hyper-spaces of dense networks
// (Hypernets' DNN space searches tabular data).
//
// The file: a header line of column names, then one row per example,
// fields separated by commas; a field may be double-quoted (a comma or a
// doubled quote "" inside), surrounding spaces are dropped, lines ending
// in \r\n are read as \n, blank lines are skipped. One column, named by
// `label`, is the class; every other column is a feature:
// - numeric when every non-empty field reads as a number: the value, an
//   empty field filled with the mean of the training rows;
// - categorical otherwise: one-hot over the distinct values of the
//   training rows (an empty field is a value of its own), in sorted order,
//   one feature per value; a value only test rows have is all zeros.
// Statistics come from the training rows of the split, so nothing of the
// test rows leaks into the features.
// Classes are the label's distinct values in sorted order (numerically
// when all are numbers). Features are float32 as [N, features, 1, 1]
// (the layout of a 1x1 image with one channel per feature, so the batch
// pipeline's per-channel normalisation standardises each feature).
//
// Errors (DataError, naming the file and, for a row, its line): a file
// that cannot be opened or is empty, a header without the label column
// (the columns it has are listed), an ignored column it does not have, a
// duplicate column name, a row with
// another number of fields than the header, an unterminated quote, an
// empty label, fewer than two classes or fewer than two rows, and no
// feature column.

#include <cstdint>
#include <string>
#include <vector>

#include "experiments/data/dataset.h"

namespace experiments {

struct CsvOptions {
  std::string label = "label";      // the class column's name
  double test_fraction = 0.2;       // rows held out as the test split, in (0, 1)
  std::uint64_t split_seed = 0;     // the seeded permutation that picks them (split.h)
  std::vector<std::string> ignore;  // columns that are neither label nor feature (dates, ids)
};

struct CsvData {
  Dataset train, test;                // the seeded split of the rows
  std::vector<std::string> features;  // one name per feature ("color=red" for a one-hot column)
  std::vector<std::string> classes;   // the label values, class index order
};

// Reads and splits `path`. Throws DataError as above, and for a
// test_fraction that leaves either split empty.
CsvData read_csv_dataset(const std::string& path, const CsvOptions& options);

}  // namespace experiments
