#include "experiments/archive/run_archive.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "spaces/infra/number_text.h"

namespace experiments {
namespace {

using Kind = H5Table::Kind;
using spaces::kNaN;

// The column a record value needs.
H5Table::Column column_for(const std::string& name, const spaces::RecordValue& value) {
  struct Visitor {
    const std::string& name;
    H5Table::Column operator()(std::int64_t) const { return {name, Kind::kInt}; }
    H5Table::Column operator()(double) const { return {name, Kind::kFloat}; }
    H5Table::Column operator()(const std::string&) const { return {name, Kind::kString}; }
    H5Table::Column operator()(const std::vector<std::int64_t>& row) const {
      return {name, Kind::kIntRow, {static_cast<hsize_t>(row.size())}};
    }
    H5Table::Column operator()(const spaces::NumberArray& array) const {
      return {name, Kind::kFloatArray, std::vector<hsize_t>(array.shape.begin(), array.shape.end())};
    }
  };
  return std::visit(Visitor{name}, value);
}

const spaces::RecordValue* field_of(const spaces::Record& record, const std::string& name) {
  for (const auto& [key, value] : record.fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

[[noreturn]] void mismatch(const std::string& table, const H5Table::Column& column, const std::string& what) {
  throw std::logic_error("run archive: table '" + table + "' column '" + column.name + "': " + what);
}

// The values of `column` for `records`, appended to `rows` in its kind's list.
void add_values(const std::string& table, const H5Table::Column& column,
                const std::vector<const spaces::Record*>& records, H5Table::Rows& rows) {
  switch (column.kind) {
    case Kind::kInt: {
      std::vector<std::int64_t>& out = rows.ints.emplace_back();
      for (const spaces::Record* r : records) {
        const spaces::RecordValue* v = field_of(*r, column.name);
        if (v != nullptr && !std::holds_alternative<std::int64_t>(*v)) mismatch(table, column, "an integer expected");
        out.push_back(v == nullptr ? -1 : std::get<std::int64_t>(*v));
      }
      break;
    }
    case Kind::kFloat: {
      std::vector<double>& out = rows.floats.emplace_back();
      for (const spaces::Record* r : records) {
        const spaces::RecordValue* v = field_of(*r, column.name);
        if (v == nullptr) {
          out.push_back(kNaN);
        } else if (const auto* d = std::get_if<double>(v)) {
          out.push_back(*d);
        } else if (const auto* i = std::get_if<std::int64_t>(v)) {
          out.push_back(static_cast<double>(*i));
        } else {
          mismatch(table, column, "a number expected");
        }
      }
      break;
    }
    case Kind::kString: {
      std::vector<std::string>& out = rows.strings.emplace_back();
      for (const spaces::Record* r : records) {
        const spaces::RecordValue* v = field_of(*r, column.name);
        if (v != nullptr && !std::holds_alternative<std::string>(*v)) mismatch(table, column, "a text expected");
        out.push_back(v == nullptr ? std::string() : std::get<std::string>(*v));
      }
      break;
    }
    case Kind::kIntRow: {
      std::vector<std::int64_t>& out = rows.ints.emplace_back();
      const auto width = static_cast<std::size_t>(column.elements());
      for (const spaces::Record* r : records) {
        const spaces::RecordValue* v = field_of(*r, column.name);
        std::vector<std::int64_t> row;
        if (v != nullptr) {
          if (!std::holds_alternative<std::vector<std::int64_t>>(*v))
            mismatch(table, column, "an integer row expected");
          row = std::get<std::vector<std::int64_t>>(*v);
          if (row.size() > width) mismatch(table, column, "a row longer than the column's " + std::to_string(width));
        }
        row.resize(width, -1);
        out.insert(out.end(), row.begin(), row.end());
      }
      break;
    }
    case Kind::kFloatArray: {
      std::vector<double>& out = rows.floats.emplace_back();
      for (const spaces::Record* r : records) {
        const spaces::RecordValue* v = field_of(*r, column.name);
        if (v == nullptr) {
          out.insert(out.end(), static_cast<std::size_t>(column.elements()), kNaN);
          continue;
        }
        const auto* array = std::get_if<spaces::NumberArray>(v);
        if (array == nullptr || std::vector<hsize_t>(array->shape.begin(), array->shape.end()) != column.shape ||
            array->values.size() != column.elements()) {
          mismatch(table, column, "an array of the column's shape expected");
        }
        out.insert(out.end(), array->values.begin(), array->values.end());
      }
      break;
    }
  }
}

// Opens `path` read-only after checking it is a search archive of this layout.
H5::H5File open_for_reading(const std::string& path) {
  check_hdf5_file(path, "run archive");
  H5::H5File file = open_checksummed_file(path, H5F_ACC_RDONLY);
  check_layout(file, "layout_version", RunArchive::kLayoutVersion, path, "search run archive");
  return file;
}

}  // namespace

TableColumns read_columns(const H5Table& table) {
  TableColumns result;
  result.rows = static_cast<std::size_t>(table.size());
  const H5Table::Rows rows = table.read();
  std::size_t next_int = 0, next_float = 0, next_string = 0;
  for (const H5Table::Column& column : table.columns()) {
    const auto split = [&](const auto& flat) {
      using T = typename std::decay_t<decltype(flat)>::value_type;
      std::vector<std::vector<T>> out;
      const auto n = static_cast<std::size_t>(column.elements());
      for (std::size_t r = 0; r < result.rows; ++r) out.emplace_back(flat.begin() + r * n, flat.begin() + (r + 1) * n);
      return out;
    };
    switch (column.kind) {
      case Kind::kInt:
        result.integers[column.name] = rows.ints[next_int++];
        break;
      case Kind::kIntRow:
        result.integer_rows[column.name] = split(rows.ints[next_int++]);
        break;
      case Kind::kFloat:
        result.numbers[column.name] = rows.floats[next_float++];
        break;
      case Kind::kFloatArray:
        result.number_arrays[column.name] = split(rows.floats[next_float++]);
        result.array_shapes[column.name] = std::vector<std::size_t>(column.shape.begin(), column.shape.end());
        break;
      case Kind::kString:
        result.texts[column.name] = rows.strings[next_string++];
        break;
    }
  }
  return result;
}

RunArchive::RunArchive(H5::H5File file) : file_(std::move(file)) {
  H5::Group root = file_.openGroup("/");
  for (hsize_t i = 0; i < root.getNumObjs(); ++i) {
    const std::string name = root.getObjnameByIdx(i);
    if (root.childObjType(name) == H5O_TYPE_GROUP) tables_.emplace(name, H5Table::open(file_, name));
  }
}

std::unique_ptr<RunArchive> RunArchive::create(const std::string& path, const std::string& space_spec,
                                               const std::string& config_toml) {
  H5::Exception::dontPrint();  // failures become ArchiveErrors with their own message
  if (std::filesystem::exists(path))
    throw ArchiveError(path + ": already exists; resume it or choose another run directory");
  try {
    H5::H5File file = create_checksummed_file(path);
    write_int64_attribute(file, "layout_version", kLayoutVersion);
    write_text_attribute(file, "kind", "search");
    write_text_attribute(file, "space", space_spec);
    write_text_attribute(file, "config", config_toml);
    file.flush(H5F_SCOPE_GLOBAL);
    return std::unique_ptr<RunArchive>(new RunArchive(std::move(file)));
  } catch (const H5::Exception& e) {
    throw ArchiveError(path + ": cannot create the run archive: " + e.getDetailMsg());
  }
}

std::unique_ptr<RunArchive> RunArchive::open(const std::string& path, const std::string& space_spec) {
  check_hdf5_file(path, "run archive");
  return archive_errors(path, [&] {
    H5::H5File file = open_checksummed_file(path, H5F_ACC_RDWR);
    check_layout(file, "layout_version", kLayoutVersion, path, "search run archive");
    const std::string space = read_text_attribute(file, "space", path);
    if (space != space_spec)
      throw ArchiveError(path + ": records space " + space + ", the config asks for " + space_spec);
    return std::unique_ptr<RunArchive>(new RunArchive(std::move(file)));
  });
}

void RunArchive::append(const std::vector<spaces::Record>& records) {
  std::vector<std::string> order;  // tables by first appearance
  std::map<std::string, std::vector<const spaces::Record*>> by_table;
  for (const spaces::Record& r : records) {
    auto& list = by_table[r.table];
    if (list.empty()) order.push_back(r.table);
    list.push_back(&r);
  }
  for (const std::string& name : order) {
    const std::vector<const spaces::Record*>& rows = by_table[name];
    // The columns these rows need, in order of first appearance; integer rows as wide as the widest.
    std::vector<H5Table::Column> needed;
    for (const spaces::Record* r : rows) {
      for (const auto& [key, value] : r->fields) {
        const H5Table::Column column = column_for(key, value);
        const auto same = std::find_if(needed.begin(), needed.end(), [&](const auto& c) { return c.name == key; });
        if (same == needed.end()) {
          needed.push_back(column);
        } else if (same->kind == Kind::kIntRow && column.kind == Kind::kIntRow) {
          same->shape[0] = std::max(same->shape[0], column.shape[0]);
        }
      }
    }
    auto table = tables_.find(name);
    if (table == tables_.end()) {
      table = tables_.emplace(name, H5Table::create(file_, name, needed)).first;
    } else {
      for (const H5Table::Column& column : needed) {
        if (table->second.find(column.name) == nullptr) table->second.add_column(column);
      }
    }
    H5Table::Rows values;
    for (const H5Table::Column& column : table->second.columns()) add_values(name, column, rows, values);
    table->second.append(values);
  }
  file_.flush(H5F_SCOPE_GLOBAL);
}

RunArchive::RowCounts RunArchive::counts() const {
  RowCounts counts;
  for (const auto& [name, table] : tables_) counts[name] = static_cast<std::size_t>(table.size());
  return counts;
}

void RunArchive::truncate(const RowCounts& counts) {
  for (auto& [name, table] : tables_) {
    const auto it = counts.find(name);
    table.truncate(it == counts.end() ? 0 : it->second);
  }
  file_.flush(H5F_SCOPE_GLOBAL);
}

TableColumns RunArchive::read(const std::string& table) const {
  const auto it = tables_.find(table);
  return it == tables_.end() ? TableColumns{} : read_columns(it->second);
}

std::string RunArchive::config() const { return read_text_attribute(file_, "config", file_.getFileName()); }

void RunArchive::set_config(const std::string& config_toml) { replace_archive_config(file_, config_toml); }

TableColumns read_archive_table(const std::string& path, const std::string& table) {
  return archive_errors(path, [&] {
    H5::H5File file = open_for_reading(path);
    if (!file.nameExists(table)) return TableColumns{};
    return read_columns(H5Table::open(file, table));
  });
}

std::vector<std::size_t> final_rows_best_first(const TableColumns& archs) {
  std::vector<std::size_t> rows;
  const auto phase = archs.texts.find("phase");
  if (phase == archs.texts.end()) return rows;
  for (std::size_t i = 0; i < archs.rows; ++i) {
    if (phase->second[i] == "final") rows.push_back(i);
  }
  const auto accuracy = archs.numbers.find("accuracy");
  if (accuracy == archs.numbers.end()) return rows;
  const std::vector<double>& value = accuracy->second;
  // NaN (a metric the evaluator did not give) after every number.
  std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
    return !std::isnan(value[a]) && (std::isnan(value[b]) || value[a] > value[b]);
  });
  return rows;
}

SearchOutcome read_search_outcome(const std::string& path) {
  return archive_errors(path, [&] {
    H5::H5File file = open_for_reading(path);
    SearchOutcome outcome;
    outcome.space = read_text_attribute(file, "space", path);
    outcome.config = read_text_attribute(file, "config", path);
    if (!file.nameExists("archs")) return outcome;
    const TableColumns archs = read_columns(H5Table::open(file, "archs"));
    const auto lacks = [&](const char* column) {
      throw ArchiveError(path + ": /archs has no column '" + column + "'");
    };
    if (archs.rows == 0) return outcome;
    if (!archs.texts.count("phase")) lacks("phase");
    const std::vector<std::size_t> rows = final_rows_best_first(archs);
    if (rows.empty()) return outcome;
    if (!archs.texts.count("canonical")) lacks("canonical");
    if (!archs.integer_rows.count("tokens")) lacks("tokens");
    if (!archs.numbers.count("accuracy")) lacks("accuracy");
    for (std::size_t i : rows) {
      outcome.final_archs.push_back(
          {archs.integer_rows.at("tokens")[i], archs.texts.at("canonical")[i], archs.numbers.at("accuracy")[i]});
    }
    return outcome;
  });
}

}  // namespace experiments
