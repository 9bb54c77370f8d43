#pragma once
// What every experiment binary does around its run: the run directory's
// name, the log, the choice between a new run and a resumed one, and the
// exit code an error maps to.

#include <spdlog/logger.h>

#include <exception>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

namespace experiments {

// The local time now, formatted by strftime's `format`.
std::string local_time_text(const char* format);

// `dir` with "{time}" replaced by the local start time (YYYYmmdd-HHMMSS),
// so the same command can be run again without overwriting a run.
std::string expand_start_time(std::string dir);

// A logger writing to stderr and to RUN_DIR/log.txt (appending, so a
// resumed run keeps the log of its first part).
std::shared_ptr<spdlog::logger> make_run_logger(const std::string& name, const std::string& run_dir);

// The newest checkpoint of RUN_DIR/checkpoints when resuming (ArchiveError
// when there is none); when starting, checks that RUN_DIR/run.h5 does not
// exist (ArchiveError: it would be overwritten), creates the checkpoints
// folder, writes `config_toml` to RUN_DIR/config.toml (whole or not at all:
// a temporary file renamed; it comes before run.h5, so a run that has an
// archive can always be resumed) and returns "".
std::string prepare_run_directory(const std::string& run_dir, bool resume, const std::string& config_toml);

// Writes RUN_DIR/config.toml whole or not at all (a temporary file renamed
// over it); ArchiveError when it cannot be written.
void write_run_config(const std::string& run_dir, const std::string& config_toml);

// What the run directory takes on disk, for the end of a run:
// "412.5 MB, 2 checkpoints of 409.1 MB" (sizes in 10^6 bytes).
std::string run_size_text(const std::string& run_dir);

// The error's message for a user: what() but, for libtorch's c10::Error,
// without the C++ backtrace its what() carries.
std::string error_message(const std::exception& error);

// 2 for bad input (ConfigError, spaces::OptionError, spaces::ArchError,
// DataError, ArchiveError, LaunchError), 1 for anything else (a lost rank's
// DistributedError among them).
int exit_code_of(const std::exception& error);

// Runs `body` and returns its exit code; an exception is printed to `err`
// as "<program>: <what>" and becomes exit_code_of(it).
int run_reporting_errors(const std::string& program, std::ostream& err, const std::function<int()>& body);

}  // namespace experiments
