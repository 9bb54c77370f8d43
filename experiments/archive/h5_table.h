#pragma once
// H5Table: a group of equal-length, appendable 1-d (or [rows, width] 2-d)
// datasets in an HDF5 file: one dataset per column, chunked and unlimited
// along rows, so any HDF5 reader (h5dump, h5py) sees plain arrays. Column
// types: int64, float64, variable-length UTF-8 strings, and fixed-width
// int64 rows (token sequences of one space).

#include <H5Cpp.h>

#include <cstdint>
#include <string>
#include <vector>

namespace experiments {

class H5Table {
 public:
  enum class Kind { kInt, kFloat, kString, kIntRow };
  struct Column {
    std::string name;
    Kind kind;
    hsize_t width = 0;  // kIntRow only
  };

  // Creates the group and its empty datasets; throws H5::Exception.
  static H5Table create(H5::H5File& file, const std::string& group, const std::vector<Column>& columns);
  // Opens an existing table; throws std::runtime_error naming the file and
  // the missing group, dataset or width mismatch.
  static H5Table open(H5::H5File& file, const std::string& group, const std::vector<Column>& columns);

  // One batch of rows: the values of each column, in the order of `columns`.
  // All columns must hold the same number of rows (kIntRow: rows * width values).
  struct Rows {
    std::vector<std::vector<std::int64_t>> ints;
    std::vector<std::vector<double>> floats;
    std::vector<std::vector<std::string>> strings;
  };
  // Appends rows; the columns of each kind are matched in order.
  void append(const Rows& rows);
  // Every row, in the layout `append` takes.
  Rows read() const;
  // Drops rows past `rows` (a resumed run rewinds to its checkpoint).
  void truncate(hsize_t rows);
  hsize_t size() const { return rows_; }

 private:
  H5Table(H5::Group group, std::vector<Column> columns, hsize_t rows)
      : group_(std::move(group)), columns_(std::move(columns)), rows_(rows) {}
  H5::Group group_;
  std::vector<Column> columns_;
  hsize_t rows_ = 0;
};

}  // namespace experiments
