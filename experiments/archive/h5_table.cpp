#include "experiments/archive/h5_table.h"

#include <stdexcept>

#include "experiments/archive/h5_util.h"

namespace experiments {
namespace {

const hsize_t kChunkRows = 1024;

H5::DataType type_of(H5Table::Kind kind) {
  switch (kind) {
    case H5Table::Kind::kInt:
    case H5Table::Kind::kIntRow:
      return H5::PredType::NATIVE_INT64;
    case H5Table::Kind::kFloat:
      return H5::PredType::NATIVE_DOUBLE;
    case H5Table::Kind::kString:
      return utf8_text_type();
  }
  throw std::logic_error("unknown column kind");
}

int rank_of(const H5Table::Column& column) { return column.kind == H5Table::Kind::kIntRow ? 2 : 1; }

// Extends `dataset` by `count` rows and writes `data` into them.
void write_rows(H5::DataSet& dataset, const H5Table::Column& column, hsize_t start, hsize_t count, const void* data) {
  const int rank = rank_of(column);
  hsize_t new_size[2] = {start + count, column.width};
  dataset.extend(new_size);
  H5::DataSpace file_space = dataset.getSpace();
  hsize_t offset[2] = {start, 0};
  hsize_t extent[2] = {count, column.width};
  file_space.selectHyperslab(H5S_SELECT_SET, extent, offset);
  H5::DataSpace memory_space(rank, extent);
  dataset.write(data, type_of(column.kind), memory_space, file_space);
}

}  // namespace

H5Table H5Table::create(H5::H5File& file, const std::string& group, const std::vector<Column>& columns) {
  H5::Group created = file.createGroup(group);
  for (const Column& column : columns) {
    const int rank = rank_of(column);
    hsize_t initial[2] = {0, column.width};
    hsize_t maximum[2] = {H5S_UNLIMITED, column.width};
    hsize_t chunk[2] = {kChunkRows, std::max<hsize_t>(column.width, 1)};
    H5::DataSpace space(rank, initial, maximum);
    H5::DSetCreatPropList properties;
    properties.setChunk(rank, chunk);
    created.createDataSet(column.name, type_of(column.kind), space, properties);
  }
  return H5Table(created, columns, 0);
}

H5Table H5Table::open(H5::H5File& file, const std::string& group, const std::vector<Column>& columns) {
  const std::string file_name = file.getFileName();
  if (!file.nameExists(group)) throw std::runtime_error(file_name + ": has no group '" + group + "'");
  H5::Group opened = file.openGroup(group);
  hsize_t rows = 0;
  bool first = true;
  for (const Column& column : columns) {
    if (!opened.nameExists(column.name)) {
      throw std::runtime_error(file_name + ": group '" + group + "' has no dataset '" + column.name + "'");
    }
    H5::DataSet dataset = opened.openDataSet(column.name);
    H5::DataSpace space = dataset.getSpace();
    hsize_t dims[2] = {0, 0};
    if (space.getSimpleExtentNdims() != rank_of(column)) {
      throw std::runtime_error(file_name + ": '" + group + "/" + column.name + "' has the wrong rank");
    }
    space.getSimpleExtentDims(dims);
    if (column.kind == Kind::kIntRow && dims[1] != column.width) {
      throw std::runtime_error(file_name + ": '" + group + "/" + column.name + "' rows hold " +
                               std::to_string(dims[1]) + " values, expected " + std::to_string(column.width));
    }
    if (!first && dims[0] != rows) {
      throw std::runtime_error(file_name + ": columns of '" + group + "' have different lengths");
    }
    rows = dims[0];
    first = false;
  }
  return H5Table(opened, columns, rows);
}

void H5Table::append(const Rows& rows) {
  std::size_t next_int = 0, next_float = 0, next_string = 0;
  hsize_t count = 0;
  bool counted = false;
  auto check_count = [&](hsize_t n, const Column& column) {
    if (counted && n != count)
      throw std::invalid_argument("H5Table::append: column '" + column.name + "' has another row count");
    count = n;
    counted = true;
  };
  for (const Column& column : columns_) {
    switch (column.kind) {
      case Kind::kInt:
        check_count(rows.ints.at(next_int++).size(), column);
        break;
      case Kind::kIntRow:
        check_count(rows.ints.at(next_int++).size() / column.width, column);
        break;
      case Kind::kFloat:
        check_count(rows.floats.at(next_float++).size(), column);
        break;
      case Kind::kString:
        check_count(rows.strings.at(next_string++).size(), column);
        break;
    }
  }
  if (count == 0) return;
  next_int = next_float = next_string = 0;
  for (const Column& column : columns_) {
    H5::DataSet dataset = group_.openDataSet(column.name);
    switch (column.kind) {
      case Kind::kInt:
      case Kind::kIntRow:
        write_rows(dataset, column, rows_, count, rows.ints[next_int++].data());
        break;
      case Kind::kFloat:
        write_rows(dataset, column, rows_, count, rows.floats[next_float++].data());
        break;
      case Kind::kString: {
        std::vector<const char*> pointers;
        for (const auto& s : rows.strings[next_string]) pointers.push_back(s.c_str());
        ++next_string;
        write_rows(dataset, column, rows_, count, pointers.data());
        break;
      }
    }
  }
  rows_ += count;
}

}  // namespace experiments

namespace experiments {

H5Table::Rows H5Table::read() const {
  Rows rows;
  for (const Column& column : columns_) {
    const H5::DataSet dataset = group_.openDataSet(column.name);
    switch (column.kind) {
      case Kind::kInt:
      case Kind::kIntRow: {
        std::vector<std::int64_t> values(static_cast<std::size_t>(rows_ * std::max<hsize_t>(column.width, 1)));
        if (!values.empty()) dataset.read(values.data(), H5::PredType::NATIVE_INT64);
        rows.ints.push_back(std::move(values));
        break;
      }
      case Kind::kFloat: {
        std::vector<double> values(static_cast<std::size_t>(rows_));
        if (!values.empty()) dataset.read(values.data(), H5::PredType::NATIVE_DOUBLE);
        rows.floats.push_back(std::move(values));
        break;
      }
      case Kind::kString: {
        std::vector<char*> pointers(static_cast<std::size_t>(rows_), nullptr);
        std::vector<std::string> values;
        if (!pointers.empty()) {
          const H5::DataType type = utf8_text_type();
          dataset.read(pointers.data(), type);
          for (char* text : pointers) values.emplace_back(text == nullptr ? "" : text);
          H5::DataSet::vlenReclaim(pointers.data(), type, dataset.getSpace());
        }
        rows.strings.push_back(std::move(values));
        break;
      }
    }
  }
  return rows;
}

void H5Table::truncate(hsize_t rows) {
  if (rows > rows_) throw std::invalid_argument("H5Table::truncate: cannot grow a table");
  for (const Column& column : columns_) {
    H5::DataSet dataset = group_.openDataSet(column.name);
    hsize_t size[2] = {rows, column.width};
    dataset.extend(size);  // H5Dset_extent: shrinking drops the rows past `rows`
  }
  rows_ = rows;
}

}  // namespace experiments
