#include "experiments/report/report_cli.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <ostream>

#include "experiments/archive/h5_util.h"
#include "experiments/harness/command_line.h"
#include "experiments/harness/external_command.h"
#include "experiments/report/html_text.h"
#include "experiments/report/report.h"
#include "spaces/infra/errors.h"

namespace experiments {

int run_report_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "Writes a self-contained HTML report of a search or final training (RUN_DIR/report/index.html) and a "
      "machine-readable summary (summary.json) beside it; several runs make one report, side by side.",
      "nas_report"};
  std::vector<std::string> dirs;
  std::string output;
  bool live = false;
  double poll = 10.0, stale = 3600.0;
  app.add_option("run_dirs", dirs, "run folders (each holding run.h5)")->required();
  app.add_option("-o,--output", output, "report folder (default RUN_DIR/report; required for several runs)");
  app.add_flag("--live", live, "rewrite the report at each epoch of a running search until it finishes");
  app.add_option("--poll", poll, "--live: seconds between looks at the runs (the page reloads as often)")
      ->check(CLI::Range(0.01, 3600.0));
  app.add_option("--stale", stale, "--live: stop after this many seconds without a change in unfinished runs")
      ->check(CLI::Range(1.0, 1e7));
  if (auto code = parse_command_line(app, args, "nas_report", out, err)) return *code;
  try {
    const std::vector<std::filesystem::path> paths(dirs.begin(), dirs.end());
    const std::filesystem::path folder = report_folder(paths, output);
    const auto start = std::chrono::steady_clock::now();
    if (live) {
      if (!watch_report(paths, folder, poll, stale, out)) return 1;
    } else {
      write_report(paths, folder, 0);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out << "wrote " << (folder / "index.html").string() << " and summary.json";
    if (!live) out << " in " << fixed_text(seconds, 2) << " s";
    out << "\n";
    return 0;
  } catch (const ArchiveError& e) {
    err << "nas_report: " << e.what() << "\n";
  } catch (const ToolError& e) {
    err << "nas_report: " << e.what() << "\n";
  } catch (const spaces::OptionError& e) {
    err << "nas_report: " << e.what() << "\n";
  } catch (const std::runtime_error& e) {  // the report folder cannot be written (filesystem_error among them)
    err << "nas_report: " << e.what() << "\n";
  } catch (const std::exception& e) {  // a defect, not the input: said plainly, exit 1
    err << "nas_report: internal error: " << e.what() << "\n";
    return 1;
  }
  return 2;
}

}  // namespace experiments
