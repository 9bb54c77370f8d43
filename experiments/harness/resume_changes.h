#pragma once
// What a resume changes: `--resume DIR --set search.epochs=2` extends a
// finished run, and the run's record must then say what ran. ResumeChanges
// compares the config a resume runs with (RUN_DIR/config.toml and --set)
// against the one the run recorded in run.h5 (what ran so far, so hand
// edits of config.toml count too), refuses settings that cannot change on
// resume (by name, at the place they were given), turns a checkpoint whose
// fields no longer fit into an error naming the changed settings (not a
// tensor's shape), and records the change: run.h5's config attribute, then
// config.toml, become what runs from now on, with one history line per
// resume that changed something:
//   # resumed after epoch 1 (2026-11-30 12:00:00): search.epochs 1 -> 2

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "experiments/config/experiment_config.h"
#include "experiments/harness/training_state.h"

namespace experiments {

struct SettingChange {
  std::string key;            // "search.epochs"
  std::string before, after;  // TOML text: "1", "2"
};

class ResumeChanges {
 public:
  // Reads the config recorded in RUN_DIR/run.h5 with `resumed`'s schema
  // and lists the settings that differ ([run] dir aside: it is wherever the
  // run now lies). Throws ConfigError at the setting's place for a change of
  // a `fixed` setting ("run.seed", or "space.*" for a whole section), and
  // ArchiveError for a missing or unreadable run.h5.
  ResumeChanges(const std::string& run_dir, const ExperimentConfig& resumed, const std::vector<std::string>& fixed);

  const std::vector<SettingChange>& changes() const { return changes_; }
  // "search.epochs 1 -> 2, run.threads 2 -> 1" ("" when nothing changed).
  std::string describe() const;

  // Loads the checkpoint at `path` through `state_fields`. A field that does
  // not fit while settings changed becomes a ConfigError naming them (the
  // checkpoint holds state of the recorded settings' shapes); an unreadable
  // file stays the ArchiveError naming it. Then, when settings changed, the
  // archive's config attribute (through `set_archive_config`) and
  // config.toml (whole or not at all) become the resumed config, with the
  // history; `epoch` gives the epochs done, read after the load. Returns
  // " with changed settings: ..." for the log, or "". With `record` false
  // (a rank that does not write the run's files) nothing is written.
  std::string restore(const std::string& path, const std::function<void(StateFields&)>& state_fields,
                      const std::function<std::int64_t()>& epoch,
                      const std::function<void(const std::string&)>& set_archive_config, bool record = true) const;

 private:
  std::string run_dir_;
  const ExperimentConfig& resumed_;
  std::string recorded_text_;
  std::vector<SettingChange> changes_;
};

}  // namespace experiments
