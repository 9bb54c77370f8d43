#pragma once
// RunArchive: RUN_DIR/run.h5, the record of a search that any HDF5 reader
// can open. Layout (version 3):
//   attributes  layout_version (int), space (spec text), config (resolved TOML)
//   /archs      epoch, step (int64); phase, controller, canonical (string);
//               tokens (int64 [N, T]); reward, valid_accuracy (float64, NaN
//               where not measured)
//   /controller epoch, step (int64); loss, mean_reward, baseline, entropy (float64)
//   /stages     one row per cell of a finished stage of a staged strategy
//               (PNAS): stage (int64); tokens (int64 [S, T], padded with -1);
//               canonical (string); predicted_mean, predicted_spread,
//               measured (float64, NaN where not predicted)
//   /stage_summary  one row per finished stage: stage, candidates (int64);
//               surrogate_loss, spearman, kendall, reconstruction_accuracy,
//               valid_rate (float64; the last two NaN without a decoder)
//   /generated  one row per architecture a stage's model generated for the
//               next stage (NAO): stage (int64); tokens, parent_tokens
//               (int64 [G, T]; the parent -1 for a random addition);
//               canonical, parent_canonical (string); step_size,
//               predicted, predicted_improvement (float64, NaN for random
//               additions)
// (Version 2 added /stages and /stage_summary; version 3 /generated and the
// decoder's columns of /stage_summary.)
// Rows are appended and flushed every epoch; a resumed run truncates the
// tables to the row counts its checkpoint recorded, so the file ends up as
// the uninterrupted run's.

#include <H5Cpp.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "experiments/archive/h5_table.h"
#include "experiments/archive/h5_util.h"

namespace experiments {

struct SampledArch {
  std::int64_t epoch = 0, step = 0;
  std::string phase;       // "child", "controller", "final"
  std::string controller;  // controller name
  std::vector<std::int64_t> tokens;
  std::string canonical;  // the space's canonical text form
  double reward = 0.0;
  double valid_accuracy = 0.0;  // NaN where not measured
};

struct ControllerRecord {
  std::int64_t epoch = 0, step = 0;
  double loss = 0.0, mean_reward = 0.0, baseline = 0.0, entropy = 0.0;
};

// An architecture of the search's final re-evaluation, as read back.
struct FinalArch {
  std::vector<std::int64_t> tokens;
  std::string canonical;
  double valid_accuracy = 0.0;
};

// What a finished search recorded: its space and the final re-evaluation's
// architectures, best first. Opens `path` read-only; throws ArchiveError
// naming the file when it is missing, foreign or unreadable.
struct SearchOutcome {
  std::string space;
  std::string config;
  std::vector<FinalArch> final_archs;  // empty when the search did not finish
};
SearchOutcome read_search_outcome(const std::string& path);

class RunArchive {
 public:
  static constexpr std::int64_t kLayoutVersion = 3;

  // Creates `path`; refuses to touch an existing file.
  static std::unique_ptr<RunArchive> create(const std::string& path, const std::string& space_spec,
                                            std::size_t num_tokens, const std::string& config_toml);
  // Opens an existing archive to append to; throws ArchiveError naming the
  // file and what is wrong (not HDF5, another layout version, another space).
  static std::unique_ptr<RunArchive> open(const std::string& path, const std::string& space_spec,
                                          std::size_t num_tokens);

  void append(const std::vector<SampledArch>& archs, const std::vector<ControllerRecord>& updates);
  // Appends finished stages' rows (tokens already padded to the width).
  struct StageRow {
    std::int64_t stage = 0;
    std::vector<std::int64_t> tokens;
    std::string canonical;
    double predicted_mean = 0.0, predicted_spread = 0.0, measured = 0.0;
  };
  struct StageSummary {
    std::int64_t stage = 0, candidates = 0;
    double surrogate_loss = 0.0, spearman = 0.0, kendall = 0.0;
    double reconstruction_accuracy = 0.0, valid_rate = 0.0;
  };
  struct GeneratedRow {
    std::int64_t stage = 0;
    std::vector<std::int64_t> tokens, parent_tokens;
    std::string canonical, parent_canonical;
    double step_size = 0.0, predicted = 0.0, predicted_improvement = 0.0;
  };
  void append_stages(const std::vector<StageRow>& rows, const std::vector<StageSummary>& summaries,
                     const std::vector<GeneratedRow>& generated = {});
  // Row counts of every table: what a checkpoint records and truncate() rewinds to.
  struct RowCounts {
    std::size_t archs = 0, updates = 0, stage_rows = 0, stages = 0, generated = 0;
  };
  RowCounts counts() const;
  void truncate(const RowCounts& counts);
  std::string config() const;

 private:
  RunArchive(H5::H5File file, H5Table archs, H5Table updates, H5Table stage_rows, H5Table stage_summaries,
             H5Table generated)
      : file_(std::move(file)),
        archs_(std::move(archs)),
        updates_(std::move(updates)),
        stage_rows_(std::move(stage_rows)),
        stage_summaries_(std::move(stage_summaries)),
        generated_(std::move(generated)) {}
  // Opens (or creates) every table of `file`.
  static std::unique_ptr<RunArchive> with_tables(H5::H5File file, std::size_t num_tokens, bool create);
  H5::H5File file_;
  H5Table archs_, updates_, stage_rows_, stage_summaries_, generated_;
};

}  // namespace experiments
