#pragma once
// Record: one row of a named table of a run's archive. Whatever a search
// produces — a sampled architecture with its metrics, a controller update,
// a PNAS stage's cell, DARTS's α after an epoch — travels as records; the
// archive (experiments/archive/run_archive.h) makes each table a group and
// each field a column the first time they appear, so a new strategy adds
// tables and columns without a new archive layout.
//
// Values: integers, numbers, texts, integer rows (token sequences; a
// table's width is its first row's, shorter rows are padded with -1) and
// number arrays with a shape (α: [edges, ops]). A row that lacks a column
// of its table reads back as NaN (numbers, arrays), -1 (integers) or ""
// (texts).

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace spaces {

struct NumberArray {
  std::vector<std::int64_t> shape;  // row-major; the product of shape is values.size()
  std::vector<double> values;
};

using RecordValue = std::variant<std::int64_t, double, std::string, std::vector<std::int64_t>, NumberArray>;

struct Record {
  std::string table;
  std::vector<std::pair<std::string, RecordValue>> fields;

  Record() = default;
  explicit Record(std::string table_name) : table(std::move(table_name)) {}
  // Appends a field; the order of a table's first row is its column order.
  Record& set(std::string column, RecordValue value) {
    fields.emplace_back(std::move(column), std::move(value));
    return *this;
  }
};

}  // namespace spaces
