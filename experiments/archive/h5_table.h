#pragma once
// H5Table: a group of equal-length, appendable datasets in an HDF5 file:
// one dataset per column, chunked and unlimited along rows, so any HDF5
// reader (h5dump, h5py) sees plain arrays. Column kinds: int64, float64,
// UTF-8 texts (fixed-length, NUL-padded strings as wide as the longest text
// so far: a longer text rewrites the column wider, doubling; no
// variable-length data, see h5_util.h), fixed-shape int64 rows (token
// sequences of one space: [rows, T]) and fixed-shape float64 arrays
// ([rows, d1, d2...]).
// Columns can be added to a table that has rows; the earlier rows read
// back the column's fill value (-1, NaN or "").

#include <H5Cpp.h>

#include <cstdint>
#include <string>
#include <vector>

namespace experiments {

class H5Table {
 public:
  enum class Kind { kInt, kFloat, kString, kIntRow, kFloatArray };
  struct Column {
    std::string name;
    Kind kind;
    std::vector<hsize_t> shape = {};  // kIntRow: {width}; kFloatArray: its dimensions; scalars: {}
    // Values per row (1 for scalar kinds).
    hsize_t elements() const;
  };

  // Creates the group and its empty datasets; throws H5::Exception.
  static H5Table create(H5::H5File& file, const std::string& group, const std::vector<Column>& columns);
  // Opens an existing table and checks it has `columns` (others may exist
  // too); throws std::runtime_error naming the file and the missing group,
  // dataset or shape mismatch.
  static H5Table open(H5::H5File& file, const std::string& group, const std::vector<Column>& columns);
  // Opens an existing table with whatever columns it holds.
  static H5Table open(H5::H5File& file, const std::string& group);

  // One batch of rows: the values of each column in the order of
  // columns(). All columns hold the same number of rows (row kinds:
  // rows * elements values, row-major).
  struct Rows {
    std::vector<std::vector<std::int64_t>> ints;    // kInt and kIntRow columns, in order
    std::vector<std::vector<double>> floats;        // kFloat and kFloatArray columns, in order
    std::vector<std::vector<std::string>> strings;  // kString columns, in order
  };
  // Appends rows; the columns of each kind are matched in order. Throws
  // std::invalid_argument for a text holding a NUL byte.
  void append(const Rows& rows);
  // Every row, in the layout `append` takes. Throws ArchiveError naming the
  // file and table when HDF5 cannot read them (a corrupt file).
  Rows read() const;
  // Adds a column whose existing rows hold its fill value (-1, NaN, "").
  void add_column(const Column& column);
  // Drops rows past `rows` (a resumed run rewinds to its checkpoint).
  void truncate(hsize_t rows);
  hsize_t size() const { return rows_; }
  const std::vector<Column>& columns() const { return columns_; }
  // The column named `name`, or nullptr.
  const Column* find(const std::string& name) const;

 private:
  Rows read_rows() const;
  // Rewrites text column `column` at least `width` bytes wide (twice its
  // width or more) with its rows; returns the new dataset.
  H5::DataSet widen_text_column(const Column& column, std::size_t width);
  // "<file>: '/<table>/<column>'", for errors.
  std::string where(const Column& column) const;
  H5Table(H5::Group group, std::vector<Column> columns, hsize_t rows)
      : group_(std::move(group)), columns_(std::move(columns)), rows_(rows) {}
  H5::Group group_;
  std::vector<Column> columns_;
  hsize_t rows_ = 0;
};

}  // namespace experiments
