#include "experiments/train/train_cli.h"

#include <filesystem>
#include <ostream>

#include "childnets/child_network.h"
#include "experiments/config/train_schema.h"
#include "experiments/harness/command_line.h"
#include "experiments/harness/progress.h"
#include "experiments/harness/run_setup.h"
#include "experiments/train/arch_choice.h"
#include "experiments/train/train_loop.h"

namespace experiments {
namespace {

void print_network(std::ostream& out, const ArchChoice& choice, const childnets::NetworkOptions& options) {
  out << "architecture (" << choice.space->spec() << ", " << choice.origin
      << "): " << choice.space->to_string(choice.arch) << "\n";
  spaces::describe(out, choice.space->decode(choice.arch));
  const childnets::NetworkCost cost = childnets::measure_network(choice.space, options, choice.arch);
  out << "network: " << options.channels() << " channels, " << options.cells_per_stage() << " normal cells per stage, "
      << options.input_channels() << "x" << options.image_size() << "x" << options.image_size() << " input"
      << (options.fixed_arc_form() ? ", built as the authors' fixed-arc code builds it" : "") << "\n";
  out << "parameters: " << cost.parameters << " (" << fixed(double(cost.parameters) / 1e6, 3) << " M)";
  if (options.auxiliary()) {
    out << "\nparameters with the auxiliary head: " << cost.parameters_with_aux << " ("
        << fixed(double(cost.parameters_with_aux) / 1e6, 3) << " M)";
  }
  out << "\nmultiply-accumulates per image: " << cost.macs_per_image << " ("
      << fixed(double(cost.macs_per_image) / 1e6, 1) << " M)\n";
}

}  // namespace

int run_train_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const std::string program = "train_arch";
  CLI::App app{program + ": trains one architecture from scratch; writes RUN_DIR/run.h5, checkpoints/ and log.txt"};
  RunOptions options;
  add_run_options(app, options, "the built-in Fashion-MNIST final training");
  std::string arch_text, space_spec, from_run;
  std::int64_t rank = 1, pareto_point = 0;
  bool dry_run = false;
  app.add_option("--arch", arch_text, "architecture text (with --space) or preset name");
  app.add_option("--space", space_spec, "the architecture's space, e.g. darts or 'enas_macro(layers=24)'");
  auto* from_run_option = app.add_option("--from-run", from_run, "train the best architecture of this search run");
  auto* rank_option =
      app.add_option("--rank", rank, "with --from-run: the K-th best (1 = best)")->check(CLI::PositiveNumber);
  app.add_option("--pareto", pareto_point,
                 "with --from-run: the K-th point of the search's last Pareto front, by its first objective (1 = best)")
      ->check(CLI::PositiveNumber)
      ->excludes(rank_option);
  app.add_flag("--dry-run", dry_run, "print the architecture and its network's size, then stop");
  from_run_option->excludes(app.get_option("--arch"));
  from_run_option->excludes(app.get_option("--space"));
  if (const auto stop = parse_command_line(app, args, program, out, err)) return *stop;
  return run_reporting_errors(program, err, [&] {
    if (options.resume() && (!arch_text.empty() || !space_spec.empty() || !from_run.empty())) {
      throw ConfigError("--resume trains what the run's own config.toml says; drop --arch, --space and --from-run");
    }
    resolve_run_options(options);
    std::vector<std::string>& overrides = options.overrides;
    ArchChoice choice;
    if (pareto_point > 0 && from_run.empty()) throw ConfigError("--pareto needs --from-run RUN_DIR");
    if (!from_run.empty()) {
      choice = pareto_point > 0 ? choose_pareto_point_from_run(from_run, pareto_point)
                                : choose_arch_from_run(from_run, rank);
    } else {
      const ExperimentConfig given = ExperimentConfig::load(train_schema(), options.config_path, overrides);
      choice = choose_arch(space_spec.empty() ? given.section("arch").get_string("space") : space_spec,
                           arch_text.empty() ? given.section("arch").get_string("arch") : arch_text);
    }
    // The resolved config records the architecture itself, so a resumed run trains the same one.
    overrides.push_back("arch.space=" + choice.space->spec());
    overrides.push_back("arch.arch=" + choice.space->to_string(choice.arch));
    // And the network form, which the recorded text alone (no preset name) would not resolve as "auto" did.
    overrides.push_back(
        "network.form=" +
        resolved_network_form(ExperimentConfig::load(train_schema(), options.config_path, overrides), choice));
    const ExperimentConfig config = ExperimentConfig::load(train_schema(), options.config_path, overrides);
    print_network(out, choice, train_network_options(config, choice));
    if (dry_run) return 0;
    const std::string dir = expand_start_time(config.section("run").get_string("dir"));
    TrainLoop loop(config, choice, dir, options.resume(), out);
    const TrainResult result = loop.run();
    out << "trained " << result.epochs << " epochs in " << fixed(result.seconds / 60.0, 1) << " min";
    if (result.last_tested_epoch == 0) {
      out << "; no epoch was tested\n";
    } else {
      out << ": test accuracy " << fixed(result.last_test_accuracy, 4)
          << (result.last_tested_epoch == result.epochs
                  ? std::string(" (last), ")
                  : " (epoch " + std::to_string(result.last_tested_epoch) + ", the last tested), ")
          << fixed(result.best_test_accuracy, 4) << " (best, epoch " << result.best_epoch << ")\n";
    }
    out << "run directory: " << result.run_dir << " (" << run_size_text(result.run_dir) << ")\n"
        << "its report: nas_report " << result.run_dir << "\n";
    return 0;
  });
}

}  // namespace experiments
