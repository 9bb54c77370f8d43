#include "experiments/archive/h5_table.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "experiments/archive/h5_util.h"

namespace experiments {
namespace {

const hsize_t kChunkRows = 1024;
// A text column starts this wide and doubles (at least) when a longer text
// arrives; see widen_text_column.
const std::size_t kFirstTextWidth = 32;

H5::DataType type_of(H5Table::Kind kind) {
  switch (kind) {
    case H5Table::Kind::kInt:
    case H5Table::Kind::kIntRow:
      return H5::PredType::NATIVE_INT64;
    case H5Table::Kind::kFloat:
    case H5Table::Kind::kFloatArray:
      return H5::PredType::NATIVE_DOUBLE;
    case H5Table::Kind::kString:
      return text_type(kFirstTextWidth);
  }
  throw std::logic_error("unknown column kind");
}

bool is_int(H5Table::Kind kind) { return kind == H5Table::Kind::kInt || kind == H5Table::Kind::kIntRow; }
bool is_float(H5Table::Kind kind) { return kind == H5Table::Kind::kFloat || kind == H5Table::Kind::kFloatArray; }

int rank_of(const H5Table::Column& column) { return 1 + static_cast<int>(column.shape.size()); }

// {rows, shape...}
std::vector<hsize_t> dims_of(const H5Table::Column& column, hsize_t rows) {
  std::vector<hsize_t> dims = {rows};
  dims.insert(dims.end(), column.shape.begin(), column.shape.end());
  return dims;
}

// Creates the dataset of `column` with `rows` rows of its fill value (text
// columns: of `type`). Chunks are allocated as rows are added (early
// allocation), so the storage always covers the extent and a reader can
// check one against the other.
void create_dataset(H5::Group& group, const H5Table::Column& column, hsize_t rows, const H5::DataType& type) {
  const std::vector<hsize_t> initial = dims_of(column, rows);
  std::vector<hsize_t> maximum = initial, chunk = initial;
  maximum[0] = H5S_UNLIMITED;
  chunk[0] = kChunkRows;
  for (std::size_t i = 1; i < chunk.size(); ++i) chunk[i] = std::max<hsize_t>(chunk[i], 1);
  H5::DataSpace space(rank_of(column), initial.data(), maximum.data());
  H5::DSetCreatPropList properties;
  properties.setChunk(rank_of(column), chunk.data());
  properties.setAllocTime(H5D_ALLOC_TIME_EARLY);
  if (is_int(column.kind)) {
    const std::int64_t fill = -1;
    properties.setFillValue(H5::PredType::NATIVE_INT64, &fill);
  } else if (is_float(column.kind)) {
    const double fill = std::numeric_limits<double>::quiet_NaN();
    properties.setFillValue(H5::PredType::NATIVE_DOUBLE, &fill);
  }
  group.createDataSet(column.name, type, space, properties);
}

void create_dataset(H5::Group& group, const H5Table::Column& column, hsize_t rows) {
  create_dataset(group, column, rows, type_of(column.kind));
}

// Extends `dataset` by `count` rows and writes `data` into them.
void write_rows(H5::DataSet& dataset, const H5Table::Column& column, hsize_t start, hsize_t count, const void* data) {
  const H5::DataType type = column.kind == H5Table::Kind::kString ? dataset.getDataType() : type_of(column.kind);
  const std::vector<hsize_t> new_size = dims_of(column, start + count);
  dataset.extend(new_size.data());
  H5::DataSpace file_space = dataset.getSpace();
  std::vector<hsize_t> offset(new_size.size(), 0);
  offset[0] = start;
  const std::vector<hsize_t> extent = dims_of(column, count);
  file_space.selectHyperslab(H5S_SELECT_SET, extent.data(), offset.data());
  H5::DataSpace memory_space(rank_of(column), extent.data());
  dataset.write(data, type, memory_space, file_space);
}

// The column a dataset holds, from its element type and dimensions.
H5Table::Column column_of(const H5::DataSet& dataset, const std::string& name, const std::string& where,
                          hsize_t& rows) {
  const std::vector<hsize_t> dims = stored_extent(dataset, where + "/" + name);
  if (dims.empty()) throw std::runtime_error(where + ": '" + name + "' is not a column");
  rows = dims[0];
  H5Table::Column column{name, H5Table::Kind::kInt, std::vector<hsize_t>(dims.begin() + 1, dims.end())};
  const H5T_class_t type_class = dataset.getTypeClass();
  const bool scalar = column.shape.empty();
  if (type_class == H5T_INTEGER) {
    column.kind = scalar ? H5Table::Kind::kInt : H5Table::Kind::kIntRow;
  } else if (type_class == H5T_FLOAT) {
    column.kind = scalar ? H5Table::Kind::kFloat : H5Table::Kind::kFloatArray;
  } else if (type_class == H5T_STRING && scalar) {
    fixed_text_type(dataset, where + "/" + name);
    column.kind = H5Table::Kind::kString;
  } else {
    throw std::runtime_error(where + ": column '" + name + "' has an element type no table uses");
  }
  return column;
}

}  // namespace

hsize_t H5Table::Column::elements() const {
  hsize_t n = 1;
  for (hsize_t d : shape) n *= d;
  return n;
}

H5Table H5Table::create(H5::H5File& file, const std::string& group, const std::vector<Column>& columns) {
  H5::Group created = file.createGroup(group);
  for (const Column& column : columns) create_dataset(created, column, 0);
  return H5Table(created, columns, 0);
}

H5Table H5Table::open(H5::H5File& file, const std::string& group) {
  const std::string file_name = file.getFileName();
  if (!file.nameExists(group)) throw std::runtime_error(file_name + ": has no group '" + group + "'");
  H5::Group opened = file.openGroup(group);
  std::vector<Column> columns;
  hsize_t rows = 0;
  const std::vector<std::string> names = link_names(opened);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    hsize_t column_rows = 0;
    columns.push_back(column_of(opened.openDataSet(name), name, file_name + ": '" + group + "'", column_rows));
    if (i > 0 && column_rows != rows) {
      throw std::runtime_error(file_name + ": columns of '" + group + "' have different lengths");
    }
    rows = column_rows;
  }
  return H5Table(opened, std::move(columns), rows);
}

H5Table H5Table::open(H5::H5File& file, const std::string& group, const std::vector<Column>& columns) {
  const std::string file_name = file.getFileName();
  const H5Table found = open(file, group);
  for (const Column& column : columns) {
    const Column* have = found.find(column.name);
    if (have == nullptr) {
      throw std::runtime_error(file_name + ": group '" + group + "' has no dataset '" + column.name + "'");
    }
    if (have->kind != column.kind || have->shape != column.shape) {
      throw std::runtime_error(file_name + ": '" + group + "/" + column.name + "' has another type or shape");
    }
  }
  return H5Table(found.group_, columns, found.rows_);
}

const H5Table::Column* H5Table::find(const std::string& name) const {
  for (const Column& column : columns_) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

void H5Table::add_column(const Column& column) {
  if (find(column.name) != nullptr) throw std::logic_error("H5Table: column '" + column.name + "' exists");
  create_dataset(group_, column, rows_);
  columns_.push_back(column);
}

void H5Table::append(const Rows& rows) {
  std::size_t next_int = 0, next_float = 0, next_string = 0;
  hsize_t count = 0;
  bool counted = false;
  auto check_count = [&](std::size_t values, const Column& column) {
    const hsize_t n = values / column.elements();
    if (values % column.elements() != 0 || (counted && n != count))
      throw std::invalid_argument("H5Table::append: column '" + column.name + "' has another row count");
    count = n;
    counted = true;
  };
  for (const Column& column : columns_) {
    if (is_int(column.kind)) check_count(rows.ints.at(next_int++).size(), column);
    if (is_float(column.kind)) check_count(rows.floats.at(next_float++).size(), column);
    if (column.kind == Kind::kString) {
      text_width(rows.strings.at(next_string));  // a NUL byte is refused before anything is written
      check_count(rows.strings.at(next_string++).size(), column);
    }
  }
  if (count == 0) return;
  next_int = next_float = next_string = 0;
  for (const Column& column : columns_) {
    H5::DataSet dataset = group_.openDataSet(column.name);
    if (is_int(column.kind)) {
      write_rows(dataset, column, rows_, count, rows.ints[next_int++].data());
    } else if (is_float(column.kind)) {
      write_rows(dataset, column, rows_, count, rows.floats[next_float++].data());
    } else {
      const std::vector<std::string>& texts = rows.strings[next_string++];
      const std::size_t width = text_width(texts);
      if (width > dataset.getDataType().getSize()) dataset = widen_text_column(column, width);
      write_rows(dataset, column, rows_, count, pack_texts(texts, dataset.getDataType().getSize()).data());
    }
  }
  rows_ += count;
}

H5Table::Rows H5Table::read() const {
  try {
    return read_rows();
  } catch (const H5::Exception& e) {
    throw ArchiveError(group_.getFileName() + ": table '" + group_.getObjName() +
                       "' is unreadable: " + e.getDetailMsg());
  }
}

H5Table::Rows H5Table::read_rows() const {
  Rows rows;
  for (const Column& column : columns_) {
    const H5::DataSet dataset = group_.openDataSet(column.name);
    // Only the first rows_ rows: a table opened with a subset of columns reads what it appended.
    const std::vector<hsize_t> extent = dims_of(column, rows_);
    std::vector<hsize_t> offset(extent.size(), 0);
    H5::DataSpace file_space = dataset.getSpace();
    if (rows_ > 0) file_space.selectHyperslab(H5S_SELECT_SET, extent.data(), offset.data());
    H5::DataSpace memory_space(rank_of(column), extent.data());
    const auto values = static_cast<std::size_t>(rows_ * column.elements());
    if (is_int(column.kind)) {
      std::vector<std::int64_t> data(values);
      if (values > 0) dataset.read(data.data(), H5::PredType::NATIVE_INT64, memory_space, file_space);
      rows.ints.push_back(std::move(data));
    } else if (is_float(column.kind)) {
      std::vector<double> data(values);
      if (values > 0) dataset.read(data.data(), H5::PredType::NATIVE_DOUBLE, memory_space, file_space);
      rows.floats.push_back(std::move(data));
    } else {
      rows.strings.push_back(read_texts(dataset, rows_, where(column)));
    }
  }
  return rows;
}

std::string H5Table::where(const Column& column) const {
  return group_.getFileName() + ": '" + group_.getObjName() + "/" + column.name + "'";
}

H5::DataSet H5Table::widen_text_column(const Column& column, std::size_t width) {
  const H5::DataSet old = group_.openDataSet(column.name);
  const std::size_t new_width = std::max(width, 2 * old.getDataType().getSize());
  const std::vector<std::string> texts = read_texts(old, rows_, where(column));
  group_.unlink(column.name);
  create_dataset(group_, column, rows_, text_type(new_width));
  H5::DataSet widened = group_.openDataSet(column.name);
  if (rows_ > 0) write_rows(widened, column, 0, rows_, pack_texts(texts, new_width).data());
  return widened;
}

void H5Table::truncate(hsize_t rows) {
  if (rows > rows_) throw std::invalid_argument("H5Table::truncate: cannot grow a table");
  for (const Column& column : columns_) {
    H5::DataSet dataset = group_.openDataSet(column.name);
    const std::vector<hsize_t> size = dims_of(column, rows);
    dataset.extend(size.data());  // H5Dset_extent: shrinking drops the rows past `rows`
  }
  rows_ = rows;
}

}  // namespace experiments
