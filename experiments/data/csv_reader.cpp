#include "experiments/data/csv_reader.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "experiments/data/split.h"
#include "spaces/infra/number_text.h"

namespace experiments {
namespace {

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The fields of one line; throws DataError on an unterminated quote.
std::vector<std::string> split_fields(const std::string& line, const std::string& where) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && trimmed(field).empty()) {
      quoted = was_quoted = true;
      field.clear();
    } else if (c == ',') {
      fields.push_back(was_quoted ? field : trimmed(field));
      field.clear();
      was_quoted = false;
    } else {
      field += c;
    }
  }
  if (quoted) throw DataError(where + ": a quoted field is not closed");
  fields.push_back(was_quoted ? field : trimmed(field));
  return fields;
}

bool read_number(const std::string& text, double& value) {
  const auto number = spaces::parse_number(text);
  if (number) value = *number;
  return number.has_value();
}

// Sorted distinct values: numerically when every one is a number.
std::vector<std::string> sorted_values(const std::set<std::string>& values) {
  std::vector<std::string> out(values.begin(), values.end());
  double a = 0, b = 0;
  const bool numeric = std::all_of(out.begin(), out.end(), [&](const std::string& v) { return read_number(v, a); });
  if (numeric) {
    std::stable_sort(out.begin(), out.end(), [&](const std::string& x, const std::string& y) {
      read_number(x, a);
      read_number(y, b);
      return a < b;
    });
  }
  return out;
}

}  // namespace

CsvData read_csv_dataset(const std::string& path, const CsvOptions& options) {
  std::ifstream in(path);
  if (!in) throw DataError(path + ": cannot open the CSV file");
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> lines;
  std::vector<std::string> header;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trimmed(line).empty()) continue;
    const std::string where = path + ":" + std::to_string(number);
    std::vector<std::string> fields = split_fields(line, where);
    if (header.empty()) {
      header = std::move(fields);
      std::set<std::string> names;
      for (const std::string& name : header) {
        if (!names.insert(name).second) throw DataError(where + ": column '" + name + "' appears twice in the header");
      }
      continue;
    }
    if (fields.size() != header.size()) {
      throw DataError(where + ": " + std::to_string(fields.size()) + " fields, the header has " +
                      std::to_string(header.size()));
    }
    rows.push_back(std::move(fields));
    lines.push_back(number);
  }
  if (header.empty()) throw DataError(path + ": the CSV file is empty (it needs a header line and rows)");
  const auto label_at = std::find(header.begin(), header.end(), options.label);
  if (label_at == header.end()) {
    std::string names;
    for (const std::string& name : header) names += (names.empty() ? "" : ", ") + name;
    throw DataError(path + ": no column '" + options.label +
                    "' for the label ([data] label); the columns are: " + names);
  }
  const auto label = static_cast<std::size_t>(label_at - header.begin());
  std::vector<bool> ignored(header.size(), false);
  for (const std::string& name : options.ignore) {
    const auto at = std::find(header.begin(), header.end(), name);
    if (at == header.end()) throw DataError(path + ": no column '" + name + "' to ignore ([data] ignore_columns)");
    ignored[static_cast<std::size_t>(at - header.begin())] = true;
  }
  if (header.size() - static_cast<std::size_t>(std::count(ignored.begin(), ignored.end(), true)) < 2 ||
      ignored[label]) {
    throw DataError(path + ": no feature column besides the label '" + options.label + "'");
  }
  if (rows.size() < 2) throw DataError(path + ": " + std::to_string(rows.size()) + " rows; at least 2 are needed");

  CsvData data;
  // Classes.
  std::set<std::string> label_values;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (rows[r][label].empty()) {
      throw DataError(path + ":" + std::to_string(lines[r]) + ": the label '" + options.label + "' is empty");
    }
    label_values.insert(rows[r][label]);
  }
  data.classes = sorted_values(label_values);
  if (data.classes.size() < 2) {
    throw DataError(path + ": the label '" + options.label + "' has one value (" + data.classes.front() +
                    "); classification needs two or more");
  }
  std::map<std::string, std::int64_t> class_index;
  for (std::size_t i = 0; i < data.classes.size(); ++i) class_index[data.classes[i]] = static_cast<std::int64_t>(i);

  // The seeded split, first: feature statistics come from the training rows only.
  const auto n = static_cast<std::int64_t>(rows.size());
  const auto test_rows = static_cast<std::int64_t>(std::llround(options.test_fraction * double(n)));
  if (!(options.test_fraction > 0 && options.test_fraction < 1) || test_rows < 1 || test_rows >= n) {
    throw DataError(path + ": a test fraction of " + std::to_string(options.test_fraction) + " of " +
                    std::to_string(n) + " rows leaves a split empty ([data] test_fraction)");
  }
  const std::vector<std::int64_t> order = seeded_permutation(n, options.split_seed);
  std::vector<bool> in_train(rows.size(), false);
  for (std::int64_t i = test_rows; i < n; ++i)
    in_train[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] = true;

  // Features, column by column.
  std::vector<std::vector<float>> columns;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (c == label || ignored[c]) continue;
    double value = 0;
    bool numeric = true;
    double sum = 0;
    std::int64_t present = 0;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const std::string& field = rows[r][c];
      if (field.empty()) continue;
      if (!read_number(field, value)) {
        numeric = false;
        break;
      }
      if (!in_train[r]) continue;
      sum += value;
      ++present;
    }
    if (numeric) {
      const double mean = present > 0 ? sum / double(present) : 0.0;
      std::vector<float> column;
      for (const auto& row : rows) column.push_back(static_cast<float>(read_number(row[c], value) ? value : mean));
      columns.push_back(std::move(column));
      data.features.push_back(header[c]);
      continue;
    }
    std::set<std::string> values;  // the training rows' categories; another is all zeros
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (in_train[r]) values.insert(rows[r][c]);
    }
    for (const std::string& category : std::vector<std::string>(values.begin(), values.end())) {
      std::vector<float> column;
      for (const auto& row : rows) column.push_back(row[c] == category ? 1.0f : 0.0f);
      columns.push_back(std::move(column));
      data.features.push_back(header[c] + "=" + category);
    }
  }
  const auto f = static_cast<std::int64_t>(columns.size());
  torch::Tensor features = torch::empty({n, f, 1, 1}, torch::kFloat);
  torch::Tensor labels = torch::empty({n}, torch::kLong);
  auto fa = features.accessor<float, 4>();
  auto la = labels.accessor<std::int64_t, 1>();
  for (std::int64_t r = 0; r < n; ++r) {
    for (std::int64_t c = 0; c < f; ++c)
      fa[r][c][0][0] = columns[static_cast<std::size_t>(c)][static_cast<std::size_t>(r)];
    la[r] = class_index.at(rows[static_cast<std::size_t>(r)][label]);
  }

  const torch::Tensor all = torch::tensor(order, torch::kLong);
  Dataset whole{path, features, labels, static_cast<std::int64_t>(data.classes.size())};
  data.test = whole.subset(all.slice(0, 0, test_rows), path + " test");
  data.train = whole.subset(all.slice(0, test_rows, n), path + " train");
  return data;
}

}  // namespace experiments
