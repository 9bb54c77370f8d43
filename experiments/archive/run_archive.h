#pragma once
// RunArchive: RUN_DIR/run.h5, the record of a search that any HDF5 reader
// can open. Layout (version 1):
//   attributes  layout_version (int), space (spec text), config (resolved TOML)
//   /archs      epoch, step (int64); phase, controller, canonical (string);
//               tokens (int64 [N, T]); reward, valid_accuracy (float64, NaN
//               where not measured)
//   /controller epoch, step (int64); loss, mean_reward, baseline, entropy (float64)
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
  static constexpr std::int64_t kLayoutVersion = 1;

  // Creates `path`; refuses to touch an existing file.
  static std::unique_ptr<RunArchive> create(const std::string& path, const std::string& space_spec,
                                            std::size_t num_tokens, const std::string& config_toml);
  // Opens an existing archive to append to; throws ArchiveError naming the
  // file and what is wrong (not HDF5, another layout version, another space).
  static std::unique_ptr<RunArchive> open(const std::string& path, const std::string& space_spec,
                                          std::size_t num_tokens);

  void append(const std::vector<SampledArch>& archs, const std::vector<ControllerRecord>& updates);
  void truncate(std::size_t archs, std::size_t updates);
  std::size_t num_archs() const { return archs_.size(); }
  std::size_t num_updates() const { return updates_.size(); }
  std::string config() const;

 private:
  RunArchive(H5::H5File file, H5Table archs, H5Table updates)
      : file_(std::move(file)), archs_(std::move(archs)), updates_(std::move(updates)) {}
  H5::H5File file_;
  H5Table archs_, updates_;
};

}  // namespace experiments
