#include "experiments/search/search_cli.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <ostream>

#include "experiments/config/search_schema.h"
#include "experiments/run/run_setup.h"
#include "experiments/search/search_loop.h"

namespace experiments {

int run_search_cli(const std::vector<std::string>& args, const std::string& required_controller, std::ostream& out,
                   std::ostream& err) {
  const std::string program = args.empty() ? "nas_search" : std::filesystem::path(args[0]).filename().string();
  CLI::App app{program + ": weight-sharing architecture search; writes RUN_DIR/run.h5, checkpoints/ and log.txt"};
  std::string config_path, run_dir, resume_dir;
  std::vector<std::string> overrides;
  std::int64_t seed = -1;
  app.add_option("--config", config_path, "TOML config (default: the built-in Fashion-MNIST search)");
  app.add_option("--set", overrides, "override section.key=value (repeatable)");
  app.add_option("--run-dir", run_dir, "run directory (default: [run] dir)");
  app.add_option("--resume", resume_dir, "continue the run in this directory from its newest checkpoint");
  app.add_option("--seed", seed, "seed of the run ([run] seed)")->check(CLI::NonNegativeNumber);
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  if (argv.empty()) argv.push_back("nas_search");
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    err << program << ": " << e.what() << "\n";
    return 2;
  }
  try {
    if (!resume_dir.empty()) {
      if (!config_path.empty()) throw ConfigError("--resume uses the run's own config.toml; drop --config");
      config_path = (std::filesystem::path(resume_dir) / "config.toml").string();
      run_dir = resume_dir;
    }
    if (seed >= 0) overrides.push_back("run.seed=" + std::to_string(seed));
    if (!run_dir.empty()) overrides.push_back("run.dir=" + run_dir);
    const ExperimentConfig config = ExperimentConfig::load(search_schema(), config_path, overrides);
    const std::string controller = config.section("controller").get_string("name");
    if (!required_controller.empty() && controller != required_controller) {
      throw ConfigError(config.source() + ": [controller] name is '" + controller + "', " + program + " runs '" +
                        required_controller + "' (use nas_search for others)");
    }
    const std::string dir = expand_start_time(config.section("run").get_string("dir"));
    SearchLoop loop(config, dir, !resume_dir.empty(), out);
    if (resume_dir.empty()) std::ofstream((std::filesystem::path(dir) / "config.toml").string()) << config.to_toml();
    const SearchResult result = loop.run();
    const spaces::SpacePtr& space = result.space;
    if (!result.top.empty()) {
      out << "\nbest architecture (" << space->spec() << "): " << space->to_string(result.top.front().first) << "\n";
      spaces::describe(out, space->decode(result.top.front().first));
      out << "validation accuracy: " << result.top.front().second << "\n";
    }
    out << "run directory: " << result.run_dir << "\n";
    return 0;
  } catch (const std::exception& e) {
    err << program << ": " << e.what() << "\n";
    return exit_code_of(e);
  }
}

}  // namespace experiments
