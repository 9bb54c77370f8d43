#include "experiments/report/run_view.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <limits>
#include <set>

namespace experiments {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string controller_name(const std::string& config_toml) {
  try {
    const toml::table config = toml::parse(config_toml);
    if (auto name = config["controller"]["name"].value<std::string>()) return *name;
  } catch (const toml::parse_error&) {
  }
  return "";
}

std::int64_t config_int(const std::string& config_toml, const char* section, const char* key) {
  try {
    const toml::table config = toml::parse(config_toml);
    if (auto value = config[section][key].value<std::int64_t>()) return *value;
  } catch (const toml::parse_error&) {
  }
  return -1;
}

// Seconds since the epoch of a log line's "[YYYY-MM-DD HH:MM:SS.mmm]" stamp, or NaN.
double log_stamp(const std::string& line) {
  std::tm tm{};
  int millis = 0;
  if (std::sscanf(line.c_str(), "[%d-%d-%d %d:%d:%d.%d]", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &millis) != 7) {
    return kNaN;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return double(timegm(&tm)) + millis / 1000.0;
}

// First to last time stamp of log.txt (NaN without two).
double log_span(const std::filesystem::path& log) {
  std::ifstream file(log);
  std::string line;
  double first = kNaN, last = kNaN;
  while (std::getline(file, line)) {
    const double t = log_stamp(line);
    if (std::isnan(t)) continue;
    if (std::isnan(first)) first = t;
    last = t;
  }
  return last - first;
}

// The numeric columns of row `i` but its position (epoch, step).
std::map<std::string, double> metrics_of(const TableColumns& table, std::size_t i) {
  std::map<std::string, double> metrics;
  for (const auto& [name, values] : table.numbers) {
    if (std::isfinite(values[i])) metrics[name] = values[i];
  }
  for (const auto& [name, values] : table.integers) {
    if (name != "epoch" && name != "step") metrics[name] = double(values[i]);
  }
  return metrics;
}

void search_facts(RunView& run) {
  const TableColumns* progress = run.table("progress");
  if (progress != nullptr && progress->texts.count("event") && !numbers_of(*progress, "seconds").empty()) {
    run.wall_seconds = numbers_of(*progress, "seconds").back();
    run.wall_source = "run.h5";
    const auto& events = progress->texts.at("event");
    run.finished = std::find(events.begin(), events.end(), "finished") != events.end();
    run.epochs_done = std::count(events.begin(), events.end(), "epoch");
  } else {
    progress = nullptr;
    run.wall_seconds = log_span(run.dir / "log.txt");
    run.wall_source = "log.txt";
  }
  const TableColumns* archs = run.table("archs");
  if (archs == nullptr || !archs->texts.count("phase") || !archs->texts.count("canonical")) return;
  const auto& phase = archs->texts.at("phase");
  const auto& canonical = archs->texts.at("canonical");
  const std::vector<bool> evaluated = evaluated_rows(*archs);
  run.evaluated = std::count(evaluated.begin(), evaluated.end(), true);
  const bool has_final = std::find(phase.begin(), phase.end(), "final") != phase.end();
  run.finished = run.finished || has_final;
  if (progress == nullptr) {
    const std::vector<double> epochs = numbers_of(*archs, "epoch");
    if (!epochs.empty()) run.epochs_done = static_cast<std::int64_t>(*std::max_element(epochs.begin(), epochs.end()));
  }
  const std::string order = has_final ? "accuracy" : "reward";
  const std::vector<double> score = numbers_of(*archs, order);
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < archs->rows; ++i) {
    if ((has_final ? phase[i] == "final" : bool(evaluated[i])) && !score.empty() && std::isfinite(score[i]))
      rows.push_back(i);
  }
  std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  std::set<std::string> shown;
  for (std::size_t i : rows) {
    if (run.best.size() == 5) break;
    if (!shown.insert(canonical[i]).second) continue;
    run.best.push_back({canonical[i], metrics_of(*archs, i)});
  }
}

void training_facts(RunView& run) {
  run.strategy = "final training";
  const TableColumns* epochs = run.table("epochs");
  if (epochs == nullptr || numbers_of(*epochs, "seconds").empty()) {
    run.wall_seconds = kNaN;
    run.best.push_back({run.archive.arch, {}});
    return;
  }
  run.wall_seconds = numbers_of(*epochs, "seconds").back();
  run.wall_source = "run.h5";
  run.epochs_done = static_cast<std::int64_t>(epochs->rows);
  run.finished = run.epochs_done >= config_int(run.archive.config, "train", "epochs");
  run.best.push_back({run.archive.arch, metrics_of(*epochs, epochs->rows - 1)});
}

}  // namespace

const TableColumns* RunView::table(const std::string& name) const {
  const auto it = archive.tables.find(name);
  return it == archive.tables.end() || it->second.rows == 0 ? nullptr : &it->second;
}

RunView read_run_view(const std::filesystem::path& dir) {
  RunView run;
  run.dir = dir;
  run.name = std::filesystem::absolute(dir).lexically_normal().filename().string();
  if (run.name.empty()) run.name = std::filesystem::absolute(dir).lexically_normal().parent_path().filename().string();
  run.archive = read_archive_contents((dir / "run.h5").string());
  run.wall_seconds = kNaN;
  if (run.archive.kind == "train") {
    training_facts(run);
  } else {
    run.strategy = controller_name(run.archive.config);
    search_facts(run);
  }
  return run;
}

std::vector<double> numbers_of(const TableColumns& table, const std::string& name) {
  if (const auto it = table.numbers.find(name); it != table.numbers.end()) return it->second;
  if (const auto it = table.integers.find(name); it != table.integers.end()) {
    return std::vector<double>(it->second.begin(), it->second.end());
  }
  return {};
}

EpochSeries per_epoch(const TableColumns& table, const std::string& column, Aggregate aggregate, bool one_based,
                      const std::vector<bool>& keep) {
  EpochSeries series = per_group(table, "epoch", column, aggregate, keep);
  if (!one_based) {
    for (double& x : series.x) x += 1;
  }
  return series;
}

EpochSeries per_group(const TableColumns& table, const std::string& key, const std::string& column, Aggregate aggregate,
                      const std::vector<bool>& keep) {
  const std::vector<double> values = numbers_of(table, column), epochs = numbers_of(table, key);
  EpochSeries series;
  if (values.empty() || epochs.size() != values.size()) return series;
  std::map<double, std::pair<double, std::size_t>> by_epoch;  // epoch -> (sum or max or last, count)
  for (std::size_t i = 0; i < values.size(); ++i) {
    if ((!keep.empty() && !keep[i]) || !std::isfinite(values[i])) continue;
    auto [it, fresh] = by_epoch.try_emplace(epochs[i], values[i], 0);
    auto& [value, count] = it->second;
    if (!fresh) {
      if (aggregate == Aggregate::kMean) value += values[i];
      if (aggregate == Aggregate::kMax || aggregate == Aggregate::kRunningMax) value = std::max(value, values[i]);
      if (aggregate == Aggregate::kLast) value = values[i];
    }
    ++count;
  }
  double running = -std::numeric_limits<double>::infinity();
  for (const auto& [epoch, entry] : by_epoch) {
    double value = aggregate == Aggregate::kMean ? entry.first / double(entry.second) : entry.first;
    if (aggregate == Aggregate::kRunningMax) value = running = std::max(running, value);
    series.x.push_back(epoch);
    series.y.push_back(value);
  }
  return series;
}

std::vector<bool> evaluated_rows(const TableColumns& archs) {
  std::vector<bool> rows(archs.rows, false);
  const auto phase = archs.texts.find("phase");
  if (phase == archs.texts.end()) return rows;
  for (std::size_t i = 0; i < archs.rows; ++i) rows[i] = phase->second[i] == "controller";
  return rows;
}

}  // namespace experiments
