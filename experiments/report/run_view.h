#pragma once
// What a report shows of one run, derived from its folder (run.h5 and
// log.txt) and nothing else: which strategy ran, for how long, whether it
// finished, its best architectures, and the columns of its tables as
// per-epoch series.

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "experiments/archive/archive_contents.h"
#include "spaces/search_space.h"

namespace experiments {

// An architecture with the numbers the archive holds for it (accuracy,
// reward, loss, params, macs, latency_ms, seconds, ... as recorded).
struct ArchMetrics {
  std::string canonical;
  std::map<std::string, double> metrics;
};

struct RunView {
  std::filesystem::path dir;
  std::string name;  // the folder's name, which labels the run in a comparison
  ArchiveContents archive;
  std::string strategy;  // the config's [controller] name; "final training" for a training
  // The archive's space, built once (null when this build cannot build its
  // spec: then cells are not drawn and ops go unnamed).
  spaces::SpacePtr space;
  // Wall time of the run so far in seconds, across resumes (NaN: not
  // recorded), and where it came from ("run.h5", or "log.txt" for a search
  // archived before /progress existed: first to last log line).
  double wall_seconds = std::numeric_limits<double>::quiet_NaN();
  std::string wall_source;
  // The run's headline accuracy (NaN: none) and what it is: a search's
  // validation accuracy of best.front(); a training's test accuracy at its
  // last tested epoch (never the best epoch: that would select on the test
  // set), and best.front() holds that epoch's metrics.
  double accuracy = std::numeric_limits<double>::quiet_NaN();
  std::string accuracy_meaning;
  bool finished = false;  // the search's final phase ran; a training ran its [train] epochs
  std::int64_t epochs_done = 0;
  std::int64_t evaluated = 0;  // candidates evaluated (search: /archs rows of phase "controller")
  // Best first, at most 5, each architecture once: a finished search's
  // final re-evaluation (by accuracy), else its best evaluated candidates
  // (by reward); a training: its architecture with the last epoch's
  // metrics (and "epoch").
  std::vector<ArchMetrics> best;

  // The table `name`, or nullptr when the run has none (or it is empty).
  const TableColumns* table(const std::string& name) const;
};

// Reads RUN_DIR/run.h5 (and RUN_DIR/log.txt for an old search's wall time).
// Throws ArchiveError naming the file when the folder has no run archive or
// it is unreadable (archive_contents.h).
RunView read_run_view(const std::filesystem::path& dir);

// The numbers of column `name` (integers as doubles); empty when absent.
std::vector<double> numbers_of(const TableColumns& table, const std::string& name);

// Aggregates of a column by the rows' epoch, in epoch order: x is the
// 1-based epoch the rows were produced in (a search stamps rows with the
// epochs completed before them, so x = epoch + 1; a training's /epochs is
// 1-based already: pass `one_based`). Rows where `keep` is false or the
// value is NaN are skipped; kRunningMax is the best up to each epoch.
enum class Aggregate { kMean, kMax, kLast, kRunningMax };
struct EpochSeries {
  std::vector<double> x, y;
};
EpochSeries per_epoch(const TableColumns& table, const std::string& column, Aggregate aggregate, bool one_based = false,
                      const std::vector<bool>& keep = {});
// The same grouped by any numeric column `key` (a generation, a stage),
// x being the key's value.
EpochSeries per_group(const TableColumns& table, const std::string& key, const std::string& column, Aggregate aggregate,
                      const std::vector<bool>& keep = {});

// Rows of /archs that scored a candidate (phase "controller"): true/false per row.
std::vector<bool> evaluated_rows(const TableColumns& archs);

}  // namespace experiments
