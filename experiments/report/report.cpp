#include "experiments/report/report.h"

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <ostream>
#include <sstream>
#include <thread>

#include "experiments/archive/h5_util.h"
#include "experiments/report/html_text.h"
#include "experiments/report/page_builder.h"
#include "experiments/report/report_sections.h"
#include "spaces/infra/atomic_file.h"
#include "spaces/infra/errors.h"

namespace experiments {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json number_or_null(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

// The config as JSON (toml++'s own conversion), or null when it does not parse.
json config_json(const std::string& config_toml) {
  try {
    std::ostringstream text;
    text << toml::json_formatter{toml::parse(config_toml)};
    return json::parse(text.str());
  } catch (const std::exception&) {
    return nullptr;
  }
}

json run_json(const RunView& run) {
  json best = json::array();
  for (const ArchMetrics& arch : run.best) {
    json metrics = json::object();
    for (const auto& [name, value] : arch.metrics) metrics[name] = number_or_null(value);
    best.push_back({{"architecture", arch.canonical}, {"metrics", metrics}});
  }
  json out = {{"run_dir", run.dir.string()},
              {"name", run.name},
              {"kind", run.archive.kind},
              {"strategy", run.strategy},
              {"space", run.archive.space},
              {"finished", run.finished},
              {"wall_seconds", number_or_null(run.wall_seconds)},
              {"epochs", run.epochs_done},
              {"best", best},
              {"config", config_json(run.archive.config)},
              {"config_toml", run.archive.config}};
  if (run.archive.kind == "search") out["evaluated"] = run.evaluated;
  return out;
}

std::string page_title(const std::vector<RunView>& runs) {
  if (runs.size() == 1) {
    const RunView& run = runs.front();
    return run.name + ": " + (run.archive.kind == "train" ? "final training" : run.strategy + " search") + " report";
  }
  return "Comparison of " + std::to_string(runs.size()) + " runs";
}

std::vector<RunView> read_runs(const std::vector<fs::path>& dirs) {
  std::vector<RunView> runs;
  for (const fs::path& dir : dirs) runs.push_back(read_run_view(dir));
  return runs;
}

void write_files(const ReportFiles& files, const fs::path& out_dir) {
  fs::create_directories(out_dir);
  spaces::write_file_atomically(out_dir / "index.html", files.html);
  spaces::write_file_atomically(out_dir / "summary.json", files.summary_json);
}

}  // namespace

std::string summary_json(const std::vector<RunView>& runs) {
  if (runs.size() == 1) return run_json(runs.front()).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  json all = json::array();
  for (const RunView& run : runs) all.push_back(run_json(run));
  return json{{"runs", all}}.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

ReportFiles build_report(const std::vector<RunView>& runs, int refresh_seconds) {
  if (runs.empty()) throw std::invalid_argument("build_report: no run");
  PageBuilder page;
  add_overview(page, runs);
  add_best_architectures(page, runs);
  add_curves(page, runs);
  add_cost(page, runs);
  add_strategy_records(page, runs);
  add_config_and_rest(page, runs);
  return {page.render(page_title(runs), refresh_seconds), summary_json(runs)};
}

void write_report(const std::vector<fs::path>& dirs, const fs::path& out_dir, int refresh_seconds) {
  write_files(build_report(read_runs(dirs), refresh_seconds), out_dir);
}

fs::path report_folder(const std::vector<fs::path>& dirs, const std::string& requested) {
  if (!requested.empty()) return requested;
  if (dirs.size() == 1) return dirs.front() / "report";
  throw spaces::OptionError("a report of " + std::to_string(dirs.size()) +
                            " runs needs --output DIR (one run's report goes to RUN_DIR/report)");
}

bool watch_report(const std::vector<fs::path>& dirs, const fs::path& out_dir, double poll_seconds, double stale_seconds,
                  std::ostream& out) {
  const int refresh = std::max(1, static_cast<int>(std::lround(poll_seconds)));
  const auto pause = [&] { std::this_thread::sleep_for(std::chrono::duration<double>(poll_seconds)); };
  std::string last_state;
  bool waiting_said = false, retry_said = false;
  auto last_change = std::chrono::steady_clock::now();
  for (;; pause()) {
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - last_change).count() > stale_seconds) {
      out << "nas_report: nothing changed in " << fixed_text(stale_seconds, 0)
          << " s and the runs have not finished (stopped or killed?); the last page stays\n"
          << std::flush;
      return false;
    }
    bool ready = true;
    for (const fs::path& dir : dirs) ready = ready && fs::exists(dir / "run.h5");
    if (!ready) {
      if (!waiting_said) out << "nas_report: waiting for the run archives to appear\n" << std::flush;
      waiting_said = true;
      continue;
    }
    std::vector<RunView> runs;
    try {
      runs = read_runs(dirs);
    } catch (const ArchiveError& e) {
      // A read racing the run's own write: try again at the next poll.
      if (!retry_said) out << "nas_report: " << e.what() << " (reading again)\n" << std::flush;
      retry_said = true;
      continue;
    }
    retry_said = false;
    bool finished = true;
    std::string state;
    for (const RunView& run : runs) {
      finished = finished && run.finished;
      state += std::to_string(run.epochs_done) + (run.finished ? "f" : "") + " ";
    }
    if (state != last_state || finished) {
      write_files(build_report(runs, finished ? 0 : refresh), out_dir);
      out << "nas_report: " << (out_dir / "index.html").string() << " written (epochs " << state << ")\n" << std::flush;
      last_state = state;
      last_change = std::chrono::steady_clock::now();
    }
    if (finished) return true;
  }
}

}  // namespace experiments
