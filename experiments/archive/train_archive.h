#pragma once
// TrainArchive: RUN_DIR/run.h5 of a final training (train_arch), readable
// by any HDF5 reader. Layout (version 2; 1 was not checksummed, see h5_util.h):
//   attributes  layout_version (int), kind = "train", space (spec text),
//               arch (the space's canonical text), config (resolved TOML)
//   /epochs     epoch (int64, 1-based); train_loss, train_accuracy,
//               test_loss, test_accuracy (NaN for an epoch whose test
//               set was not evaluated, see [train] test_every), lr (at the
//               epoch's last step),
//               drop_path, seconds (wall time since the run started,
//               across resumes) (float64)
// One row per epoch, flushed as it is written; a resumed run truncates the
// table to the row count its checkpoint recorded.

#include <H5Cpp.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "experiments/archive/h5_table.h"
#include "experiments/archive/h5_util.h"

namespace experiments {

struct EpochRecord {
  std::int64_t epoch = 0;
  double train_loss = 0.0, train_accuracy = 0.0, test_loss = 0.0, test_accuracy = 0.0;
  double lr = 0.0, drop_path = 0.0, seconds = 0.0;
  // Whether the test set was evaluated after this epoch (test_* not NaN).
  bool tested() const { return !std::isnan(test_accuracy); }
};

// The last of `records` whose test set was evaluated; nullptr when none was.
inline const EpochRecord* last_tested(const std::vector<EpochRecord>& records) {
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    if (it->tested()) return &*it;
  }
  return nullptr;
}

class TrainArchive {
 public:
  // 2: the checksummed HDF5 1.8 format with fixed-length texts (h5_util.h).
  static constexpr std::int64_t kLayoutVersion = 2;
  // Creates `path`; refuses to touch an existing file (ArchiveError).
  static std::unique_ptr<TrainArchive> create(const std::string& path, const std::string& space_spec,
                                              const std::string& arch_text, const std::string& config_toml);
  // Opens an existing archive to append to; ArchiveError naming the file
  // when it is not one of ours, of another layout, or of another architecture.
  static std::unique_ptr<TrainArchive> open(const std::string& path, const std::string& space_spec,
                                            const std::string& arch_text);

  void append(const EpochRecord& record);
  void truncate(std::size_t rows);
  std::size_t size() const { return epochs_.size(); }
  std::vector<EpochRecord> read() const;
  std::string config() const;
  // Replaces the config attribute (harness/resume_changes.h).
  void set_config(const std::string& config_toml);

 private:
  TrainArchive(H5::H5File file, H5Table epochs) : file_(std::move(file)), epochs_(std::move(epochs)) {}
  H5::H5File file_;
  H5Table epochs_;
};

}  // namespace experiments
