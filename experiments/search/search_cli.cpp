#include "experiments/search/search_cli.h"

#include <filesystem>
#include <ostream>

#include "experiments/config/embedded_configs.h"
#include "experiments/config/search_schema.h"
#include "experiments/harness/command_line.h"
#include "experiments/harness/run_setup.h"
#include "experiments/search/controller_catalog.h"
#include "experiments/search/search_loop.h"
#include "spaces/registry.h"

namespace experiments {

int run_search_cli(const std::vector<std::string>& args, const std::string& required_controller, std::ostream& out,
                   std::ostream& err, const std::string& default_config) {
  const std::string program = args.empty() ? "nas_search" : std::filesystem::path(args[0]).filename().string();
  CLI::App app{program +
               ": architecture search with any registered strategy; writes RUN_DIR/run.h5, checkpoints/ "
               "and log.txt"};
  RunOptions options;
  add_run_options(app, options,
                  default_config.empty() ? "the schema's defaults" : "experiments/configs/" + default_config);
  bool list = false;
  app.add_flag("--list", list, "print every strategy and evaluator, with options and capabilities, and exit");
  if (const auto stop = parse_command_line(app, args, program, out, err)) return *stop;
  return run_reporting_errors(program, err, [&] {
    if (list) {
      print_strategy_catalog(out);
      return 0;
    }
    resolve_run_options(options);
    const ExperimentConfig config =
        options.config_path.empty() && !default_config.empty()
            ? ExperimentConfig::load_text(search_schema(), embedded_config(default_config),
                                          "experiments/configs/" + default_config + " (built in)", options.overrides)
            : ExperimentConfig::load(search_schema(), options.config_path, options.overrides);
    const std::string controller = config.section("controller").get_string("name");
    if (!required_controller.empty() && controller != required_controller) {
      throw ConfigError(config.source() + ": [controller] name is '" + controller + "', " + program + " runs '" +
                        required_controller + "' (use nas_search for others)");
    }
    const std::string dir = expand_start_time(config.section("run").get_string("dir"));
    SearchLoop loop(config, dir, options.resume(), out);
    const SearchResult result = loop.run();
    if (!result.top.empty()) {
      const spaces::Arch& best = result.top.front().first;
      const spaces::SpacePtr space = spaces::make_space(best.space);
      out << "\nbest architecture (" << space->spec() << "): " << space->to_string(best) << "\n";
      spaces::describe(out, space->decode(best));
      out << "accuracy: " << result.top.front().second << "\n";
    }
    out << "run directory: " << result.run_dir << " (" << run_size_text(result.run_dir) << ")\n"
        << "its report: nas_report " << result.run_dir << "\n";
    return 0;
  });
}

}  // namespace experiments
