#include "experiments/harness/run_setup.h"

#include <cstdlib>

#include "spaces/infra/atomic_file.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <c10/util/Exception.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "experiments/archive/checkpoint.h"
#include "experiments/config/experiment_config.h"
#include "experiments/data/dataset.h"
#include "experiments/distributed/world.h"
#include "spaces/infra/errors.h"

namespace experiments {
namespace fs = std::filesystem;

std::string local_time_text(const char* format) {
  const std::time_t now = std::time(nullptr);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, format, std::localtime(&now));
  return stamp;
}

std::string expand_start_time(std::string dir) {
  if (const auto at = dir.find("{time}"); at != std::string::npos) dir.replace(at, 6, local_time_text("%Y%m%d-%H%M%S"));
  return dir;
}

std::shared_ptr<spdlog::logger> make_run_logger(const std::string& name, const std::string& run_dir) {
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>((fs::path(run_dir) / "log.txt").string());
  auto log = std::make_shared<spdlog::logger>(name, spdlog::sinks_init_list{console, file});
  log->flush_on(spdlog::level::info);
  return log;
}

std::string prepare_run_directory(const std::string& run_dir, bool resume, const std::string& config_toml) {
  const std::string checkpoints = (fs::path(run_dir) / "checkpoints").string();
  if (resume) {
    const auto paths = list_checkpoints(checkpoints);
    if (paths.empty()) throw ArchiveError(checkpoints + ": no checkpoint to resume from");
    return paths.back();
  }
  const std::string archive = (fs::path(run_dir) / "run.h5").string();
  if (fs::exists(archive)) {
    throw ArchiveError(archive + ": already exists; resume it with --resume or choose another --run-dir");
  }
  fs::create_directories(checkpoints);
  write_run_config(run_dir, config_toml);
  return "";
}

void write_run_config(const std::string& run_dir, const std::string& config_toml) {
  try {
    spaces::write_file_atomically(fs::path(run_dir) / "config.toml", config_toml);
  } catch (const std::runtime_error& e) {
    throw ArchiveError(std::string(e.what()) + ": cannot write the run's config");
  }
}

std::string run_size_text(const std::string& run_dir) {
  std::uintmax_t total = 0, checkpoint_bytes = 0;
  std::size_t checkpoints = 0;
  std::error_code error;
  for (fs::recursive_directory_iterator it(run_dir, error), end; !error && it != end; it.increment(error)) {
    if (!it->is_regular_file(error)) continue;
    const std::uintmax_t size = it->file_size(error);
    if (error) continue;
    total += size;
    if (it->path().parent_path().filename() == "checkpoints") {
      checkpoint_bytes += size;
      ++checkpoints;
    }
  }
  char text[96];
  std::snprintf(text, sizeof text, "%.1f MB, %zu checkpoint%s of %.1f MB", double(total) / 1e6, checkpoints,
                checkpoints == 1 ? "" : "s", double(checkpoint_bytes) / 1e6);
  return text;
}

std::string error_message(const std::exception& error) {
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&error)) return torch_error->what_without_backtrace();
  return error.what();
}

int exit_code_of(const std::exception& error) {
  const bool bad_input =
      dynamic_cast<const ConfigError*>(&error) != nullptr ||
      dynamic_cast<const spaces::OptionError*>(&error) != nullptr ||
      dynamic_cast<const spaces::ArchError*>(&error) != nullptr || dynamic_cast<const DataError*>(&error) != nullptr ||
      dynamic_cast<const ArchiveError*>(&error) != nullptr || dynamic_cast<const LaunchError*>(&error) != nullptr;
  return bad_input ? 2 : 1;
}

int run_reporting_errors(const std::string& program, std::ostream& err, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    // One write, so the ranks of a launch print whole lines; ranks other than 0 say which they are.
    const char* rank = std::getenv("RANK");
    const char* size = std::getenv("WORLD_SIZE");
    const bool other_rank = rank != nullptr && size != nullptr && std::string(rank) != "0" && std::string(size) != "1";
    const std::string line = program + (other_rank ? std::string(" (rank ") + rank + " of " + size + ")" : "") + ": " +
                             error_message(e) + "\n";
    err.write(line.data(), static_cast<std::streamsize>(line.size()));
    err.flush();
    return exit_code_of(e);
  }
}

}  // namespace experiments
