#pragma once
// RunArchive: RUN_DIR/run.h5, the record of a search that any HDF5 reader
// can open. Layout (version 5):
//   attributes  layout_version (int), kind = "search", space (spec text),
//               config (the resolved TOML)
//   one group per table of records (spaces/infra/record.h), one dataset per
//   column: int64 [N], float64 [N], fixed-length strings [N], int64 rows [N, T] (tokens,
//   padded with -1) or float64 arrays [N, d1, ...]; a row that lacks a
//   column reads back NaN, -1 or "".
// The search core writes:
//   /archs      one row per architecture trained on (phase "child"),
//               scored (phase "controller") or finally re-evaluated (phase
//               "final"): epoch, step (int64); phase, controller,
//               evaluator, canonical (string); tokens; reward; and every
//               metric the evaluator returned, one column each (accuracy,
//               loss, params, macs, seconds, ...)
//   /controller one row per learning step: epoch, step, loss, mean_reward,
//               baseline, entropy
//   /training   one row per weight step: epoch, step, lr, loss, accuracy
//   /progress   one row per epoch end (event "epoch") and one when the
//               search finished (event "finished"): epoch, step; event;
//               seconds (wall time since the run started, across
//               resumes); trials (candidates evaluated so far)
// and strategies add their own tables (PNAS and NAO: /stages,
// /stage_summary, /generated; DARTS: /alpha), every row stamped with the
// epoch and step it was produced at. A new strategy, metric or table needs
// no new layout.
// (Version 3 had fixed tables; version 4 replaced them with these; version
// 5 is written in the checksummed HDF5 1.8 format with fixed-length texts,
// see h5_util.h.)
// Rows are flushed as they are appended; a resumed run truncates every
// table to the row counts its checkpoint recorded, so the file ends up as
// the uninterrupted run's.

#include <H5Cpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "experiments/archive/h5_table.h"
#include "experiments/archive/h5_util.h"
#include "spaces/infra/record.h"

namespace experiments {

// One table as read back, by column.
struct TableColumns {
  std::size_t rows = 0;
  std::map<std::string, std::vector<std::int64_t>> integers;
  std::map<std::string, std::vector<double>> numbers;
  std::map<std::string, std::vector<std::string>> texts;
  std::map<std::string, std::vector<std::vector<std::int64_t>>> integer_rows;
  std::map<std::string, std::vector<std::vector<double>>> number_arrays;  // each row flattened
  std::map<std::string, std::vector<std::size_t>> array_shapes;           // of each number_arrays row
};

// Every row of `table`, by column; ArchiveError naming the file when HDF5
// cannot read them.
TableColumns read_columns(const H5Table& table);

class RunArchive {
 public:
  static constexpr std::int64_t kLayoutVersion = 5;
  using RowCounts = std::map<std::string, std::size_t>;

  // Creates `path`; refuses to touch an existing file (ArchiveError).
  static std::unique_ptr<RunArchive> create(const std::string& path, const std::string& space_spec,
                                            const std::string& config_toml);
  // Opens an existing archive to append to; throws ArchiveError naming the
  // file and what is wrong (not HDF5, another layout version, another space).
  static std::unique_ptr<RunArchive> open(const std::string& path, const std::string& space_spec);

  // Appends each record to its table, creating tables and columns as they
  // first appear; flushes. Throws std::logic_error for a value of another
  // kind than its column's, an integer row longer than its column or an
  // array of another shape (a programming error, not bad input).
  void append(const std::vector<spaces::Record>& records);
  // Rows of every table.
  RowCounts counts() const;
  // Drops the rows past `counts` (tables it does not name: every row).
  void truncate(const RowCounts& counts);
  TableColumns read(const std::string& table) const;
  std::string config() const;
  // Replaces the config attribute (a resume that changed settings records
  // what runs from then on; harness/resume_changes.h).
  void set_config(const std::string& config_toml);

 private:
  explicit RunArchive(H5::H5File file);
  H5::H5File file_;
  std::map<std::string, H5Table> tables_;
};

// What a finished search recorded: its space and the final re-evaluation's
// architectures (rows of /archs with phase "final"), best accuracy first.
struct FinalArch {
  std::vector<std::int64_t> tokens;
  std::string canonical;
  double accuracy = 0.0;
};
struct SearchOutcome {
  std::string space;
  std::string config;
  std::vector<FinalArch> final_archs;  // empty when the search did not finish
};
// Opens `path` read-only; throws ArchiveError naming the file when it is
// missing, foreign or unreadable.
SearchOutcome read_search_outcome(const std::string& path);
// The rows of an /archs table that a finished search measured again at its
// end (phase "final"), best accuracy first (rows without one last); empty
// when the table has no phase column or no such row.
std::vector<std::size_t> final_rows_best_first(const TableColumns& archs);

// One table of the archive at `path`, read-only (empty when absent);
// ArchiveError as read_search_outcome.
TableColumns read_archive_table(const std::string& path, const std::string& table);

}  // namespace experiments
