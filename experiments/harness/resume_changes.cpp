#include "experiments/harness/resume_changes.h"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "experiments/harness/run_setup.h"

namespace experiments {
namespace {

constexpr const char* kHistoryPrefix = "# resumed after epoch ";

std::string now_text() {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  return stamp;
}

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
  const std::string path = (std::filesystem::path(run_dir) / "config.toml").string();
  {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    recorded_text_ = text.str();
  }
  const ExperimentConfig recorded = ExperimentConfig::load(resumed.schema(), path, {});
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
    throw resumed.error_at(change.key.substr(0, dot), change.key.substr(dot + 1),
                           "cannot change on resume (the run's config.toml has " + change.before +
                               "); start a new run with it instead");
  }
}

std::string ResumeChanges::describe() const {
  std::string text;
  for (const SettingChange& change : changes_) {
    text += (text.empty() ? "" : ", ") + change.key + " " + change.before + " -> " + change.after;
  }
  return text;
}

void ResumeChanges::restore_checked(const std::function<void()>& restore) const {
  try {
    restore();
  } catch (const std::exception& e) {
    if (changes_.empty()) throw;
    throw ConfigError(run_dir_ + ": the checkpoint does not load with the changed settings (" + describe() +
                      "): it holds the state of the settings the run's config.toml records, so these cannot change "
                      "on resume (" + error_message(e) + ")");
  }
}

void ResumeChanges::record(std::int64_t epoch, const std::function<void(const std::string&)>& set_archive_config) const {
  if (changes_.empty()) return;
  std::string history;
  std::istringstream lines(recorded_text_);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(kHistoryPrefix)) history += line + "\n";
  }
  history += kHistoryPrefix + std::to_string(epoch) + " (" + now_text() + "): " + describe() + "\n";
  const std::string text = history + resumed_.to_toml();
  write_run_config(run_dir_, text);
  set_archive_config(text);
}

}  // namespace experiments
