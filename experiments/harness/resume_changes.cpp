#include "experiments/harness/resume_changes.h"

#include <filesystem>
#include <sstream>

#include "experiments/archive/h5_util.h"
#include "experiments/harness/run_setup.h"

namespace experiments {
namespace {

constexpr const char* kHistoryPrefix = "# resumed after epoch ";

bool is_fixed(const std::string& key, const std::vector<std::string>& fixed) {
  const std::string section = key.substr(0, key.find('.'));
  for (const std::string& f : fixed) {
    if (f == key || f == section + ".*") return true;
  }
  return false;
}

}  // namespace

ResumeChanges::ResumeChanges(const std::string& run_dir, const ExperimentConfig& resumed,
                             const std::vector<std::string>& fixed)
    : run_dir_(run_dir), resumed_(resumed) {
  const std::string archive = (std::filesystem::path(run_dir) / "run.h5").string();
  recorded_text_ = read_archive_config(archive);
  const ExperimentConfig recorded =
      ExperimentConfig::load_text(resumed.schema(), recorded_text_, archive + " (its recorded config)", {});
  const auto before = recorded.settings(), after = resumed.settings();
  for (const auto& [key, value] : after) {
    if (key == "run.dir") continue;
    const auto it = before.find(key);
    const std::string old_value = it == before.end() ? "(unset)" : it->second;
    if (old_value != value) changes_.push_back({key, old_value, value});
  }
  for (const SettingChange& change : changes_) {
    if (!is_fixed(change.key, fixed)) continue;
    const auto dot = change.key.find('.');
    throw resumed.error_at(
        change.key.substr(0, dot), change.key.substr(dot + 1),
        "cannot change on resume (the run recorded " + change.before + "); start a new run with it instead");
  }
}

std::string ResumeChanges::describe() const {
  std::string text;
  for (const SettingChange& change : changes_) {
    text += (text.empty() ? "" : ", ") + change.key + " " + change.before + " -> " + change.after;
  }
  return text;
}

std::string ResumeChanges::restore(const std::string& path, const std::function<void(StateFields&)>& state_fields,
                                   const std::function<std::int64_t()>& epoch,
                                   const std::function<void(const std::string&)>& set_archive_config,
                                   bool record) const {
  try {
    restore_from_checkpoint(path, "checkpoint", state_fields);
  } catch (const CheckpointMismatchError& e) {
    if (changes_.empty()) throw;
    throw ConfigError(run_dir_ + ": the checkpoint does not load with the changed settings (" + describe() +
                      "): it holds the state of the settings the run recorded, so these cannot change on resume (" +
                      e.what() + ")");
  }
  if (changes_.empty()) return "";
  if (!record) return " with changed settings: " + describe();
  std::string history;
  std::istringstream lines(recorded_text_);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(kHistoryPrefix)) history += line + "\n";
  }
  history += kHistoryPrefix + std::to_string(epoch()) + " (" + local_time_text("%Y-%m-%d %H:%M:%S") +
             "): " + describe() + "\n";
  const std::string text = history + resumed_.to_toml();
  set_archive_config(text);  // the archive first: a crash before config.toml leaves the change to be seen again
  write_run_config(run_dir_, text);
  return " with changed settings: " + describe();
}

}  // namespace experiments
