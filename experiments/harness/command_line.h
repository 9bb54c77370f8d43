#pragma once
// The command line every run binary (nas_search, enas_search, train_arch)
// shares: --config, --set, --run-dir, --resume, --seed, and the parsing
// that turns --help into exit 0 and a malformed command line into exit 2.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace experiments {

struct RunOptions {
  std::string config_path, run_dir, resume_dir;
  std::vector<std::string> overrides;  // "section.key=value"
  std::int64_t seed = -1;              // -1: the config's
  bool resume() const { return !resume_dir.empty(); }
};

// Adds the shared options to `app`; `default_config` describes what runs without --config.
void add_run_options(CLI::App& app, RunOptions& options, const std::string& default_config);

// Parses `args` (args[0] is the program). Returns the exit code when the
// program should stop here: 0 after printing --help to `out`, 2 after
// printing a parse error to `err`; nullopt when it should go on.
std::optional<int> parse_command_line(CLI::App& app, const std::vector<std::string>& args, const std::string& program,
                                      std::ostream& out, std::ostream& err);

// Folds --resume, --seed and --run-dir into the config path and overrides:
// a resumed run reads RUN_DIR/config.toml (ConfigError when --config is
// given too) and keeps RUN_DIR.
void resolve_run_options(RunOptions& options);

}  // namespace experiments
