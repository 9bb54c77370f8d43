#include "experiments/report/run_view.h"

#include "spaces/infra/number_text.h"
#include "spaces/registry.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <limits>
#include <set>

namespace experiments {
namespace {

using spaces::kNaN;

// The config as a TOML table; empty when it does not parse (a foreign archive).
toml::table parse_config(const std::string& config_toml) {
  try {
    return toml::parse(config_toml);
  } catch (const toml::parse_error&) {
    return {};
  }
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
  const std::vector<double> seconds = progress ? numbers_of(*progress, "seconds") : std::vector<double>{};
  if (progress != nullptr && progress->texts.count("event") && !seconds.empty()) {
    run.wall_seconds = seconds.back();
    run.wall_source = "run.h5";
    const auto& events = progress->texts.at("event");
    const std::vector<double> epochs = numbers_of(*progress, "epoch");
    run.finished = std::find(events.begin(), events.end(), "finished") != events.end();
    for (std::size_t i = 0; i < progress->rows && !epochs.empty(); ++i) {
      if (events[i] == "epoch") run.epochs_done = static_cast<std::int64_t>(epochs[i]) + 1;
    }
  } else {
    progress = nullptr;
    run.wall_seconds = log_span(run.dir / "log.txt");
    run.wall_source = "log.txt";
  }
  const TableColumns* archs = run.table("archs");
  if (archs == nullptr || !archs->texts.count("canonical")) return;
  const auto& canonical = archs->texts.at("canonical");
  const std::vector<bool> evaluated = evaluated_rows(*archs);
  run.evaluated = std::count(evaluated.begin(), evaluated.end(), true);
  std::vector<std::size_t> rows = final_rows_best_first(*archs);
  run.finished = run.finished || !rows.empty();
  if (progress == nullptr) {
    // Rows are stamped with the epochs completed before them (the final ones after the last).
    const std::vector<double> epochs = numbers_of(*archs, "epoch");
    if (!epochs.empty()) run.epochs_done = static_cast<std::int64_t>(*std::max_element(epochs.begin(), epochs.end()));
  }
  if (rows.empty()) {
    // Still running (or stopped): the best candidates evaluated so far, by the search's reward.
    const std::vector<double> reward = numbers_of(*archs, "reward");
    for (std::size_t i = 0; i < archs->rows && !reward.empty(); ++i) {
      if (evaluated[i] && std::isfinite(reward[i])) rows.push_back(i);
    }
    std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) { return reward[a] > reward[b]; });
  }
  std::set<std::string> shown;
  for (std::size_t i : rows) {
    if (run.best.size() == 5) break;
    if (!shown.insert(canonical[i]).second) continue;
    run.best.push_back({canonical[i], metrics_of(*archs, i)});
  }
  const auto accuracy = archs->numbers.find("accuracy");
  if (!run.best.empty() && run.best.front().metrics.count("accuracy")) {
    run.accuracy = run.best.front().metrics.at("accuracy");
    run.accuracy_meaning = run.finished ? "validation accuracy of the best architecture at the final re-evaluation"
                                        : "validation accuracy of the best candidate so far (by the search's reward)";
  } else if (accuracy != archs->numbers.end()) {
    run.accuracy_meaning = "no accuracy recorded";
  }
}

void training_facts(RunView& run, const toml::table& config) {
  run.strategy = "final training";
  const TableColumns* epochs = run.table("epochs");
  if (epochs == nullptr || numbers_of(*epochs, "seconds").empty()) {
    run.best.push_back({run.archive.arch, {}});
    return;
  }
  run.wall_seconds = numbers_of(*epochs, "seconds").back();
  run.wall_source = "run.h5";
  run.epochs_done = static_cast<std::int64_t>(epochs->rows);
  run.finished = run.epochs_done >= config["train"]["epochs"].value_or(std::int64_t{0});
  // The last epoch whose test set was evaluated ([train] test_every skips
  // some), or the last epoch when none was.
  const std::vector<double> tested = numbers_of(*epochs, "test_accuracy");
  std::size_t row = tested.size();
  while (row > 0 && !std::isfinite(tested[row - 1])) --row;
  const bool any_tested = row > 0;
  if (!any_tested) row = epochs->rows;
  std::map<std::string, double> shown = metrics_of(*epochs, row - 1);
  const auto epoch_column = epochs->integers.find("epoch");
  const std::int64_t epoch = epoch_column == epochs->integers.end() ? std::int64_t(row) : epoch_column->second[row - 1];
  shown["epoch"] = double(epoch);
  run.best.push_back({run.archive.arch, shown});
  if (!any_tested) return;
  run.accuracy = tested[row - 1];
  run.accuracy_meaning = row == epochs->rows ? "test accuracy at the last epoch"
                                             : "test accuracy at epoch " + std::to_string(epoch) +
                                                   ", the last tested of " + std::to_string(epochs->rows);
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
  const toml::table config = parse_config(run.archive.config);
  try {
    run.space = spaces::make_space(run.archive.space);
  } catch (const std::exception&) {
  }
  if (run.archive.kind == "train") {
    training_facts(run, config);
  } else {
    run.strategy = config["controller"]["name"].value_or(std::string());
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
