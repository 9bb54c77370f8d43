#pragma once
// What a resume changes: `--resume DIR --set search.epochs=2` extends a
// finished run, and the run's record must then say what ran. ResumeChanges
// compares the config a resume runs with against RUN_DIR/config.toml,
// refuses settings that cannot change on resume (by name, at the place
// they were given), turns a checkpoint that no longer loads into an error
// naming the changed settings (not a tensor's shape), and records the
// change: config.toml and the archive's config attribute become what runs
// from now on, and config.toml keeps one history line per such resume:
//   # resumed after epoch 1 (2026-11-30 12:00:00): search.epochs 1 -> 2

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "experiments/config/experiment_config.h"

namespace experiments {

struct SettingChange {
  std::string key;            // "search.epochs"
  std::string before, after;  // TOML text: "1", "2"
};

class ResumeChanges {
 public:
  // Reads RUN_DIR/config.toml with `resumed`'s schema and lists the settings
  // that differ ([run] dir aside: it is wherever the run now lies). Throws
  // ConfigError at the setting's place for a change of a `fixed` setting
  // ("run.seed", or "space.*" for a whole section), and for an unreadable
  // config.toml.
  ResumeChanges(const std::string& run_dir, const ExperimentConfig& resumed, const std::vector<std::string>& fixed);

  const std::vector<SettingChange>& changes() const { return changes_; }
  // "search.epochs 1 -> 2, run.threads 2 -> 1" ("" when nothing changed).
  std::string describe() const;

  // Runs `restore` (the checkpoint's load). When it throws and settings
  // changed, the error becomes a ConfigError naming them: the checkpoint
  // holds state of the recorded settings' shapes.
  void restore_checked(const std::function<void()>& restore) const;

  // When settings changed: config.toml (whole or not at all) and, through
  // `set_archive_config`, the archive's config attribute become the resumed
  // config, with the history of every resume that changed something.
  void record(std::int64_t epoch, const std::function<void(const std::string&)>& set_archive_config) const;

 private:
  std::string run_dir_;
  const ExperimentConfig& resumed_;
  std::string recorded_text_;
  std::vector<SettingChange> changes_;
};

}  // namespace experiments
