#include "experiments/harness/command_line.h"

#include <filesystem>
#include <ostream>

#include "experiments/config/experiment_config.h"

namespace experiments {

void add_run_options(CLI::App& app, RunOptions& options, const std::string& default_config) {
  app.add_option("--config", options.config_path, "TOML config (default: " + default_config + ")");
  app.add_option("--set", options.overrides, "override section.key=value (repeatable)");
  app.add_option("--run-dir", options.run_dir, "run directory (default: [run] dir)");
  app.add_option("--resume", options.resume_dir, "continue the run in this directory from its newest checkpoint");
  app.add_option("--seed", options.seed, "seed of the run ([run] seed)")->check(CLI::NonNegativeNumber);
}

std::optional<int> parse_command_line(CLI::App& app, const std::vector<std::string>& args, const std::string& program,
                                      std::ostream& out, std::ostream& err) {
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  if (argv.empty()) argv.push_back(program.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    err << program << ": " << e.what() << "\n";
    return 2;
  }
  return std::nullopt;
}

void resolve_run_options(RunOptions& options) {
  if (options.resume()) {
    if (!options.config_path.empty()) throw ConfigError("--resume uses the run's own config.toml; drop --config");
    options.config_path = (std::filesystem::path(options.resume_dir) / "config.toml").string();
    options.run_dir = options.resume_dir;
  }
  if (options.seed >= 0) options.overrides.push_back("run.seed=" + std::to_string(options.seed));
  if (!options.run_dir.empty()) options.overrides.push_back("run.dir=" + options.run_dir);
}

}  // namespace experiments
