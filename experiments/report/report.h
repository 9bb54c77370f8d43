#pragma once
// nas_report's work: the report of one run or of several side by side, as
// a self-contained HTML page (index.html: figures and cell drawings inside
// the page, nothing fetched when it is opened) and a machine-readable
// summary (summary.json), both drawn only from the runs' folders.
//
// summary.json of one run is an object:
//   {"run_dir", "name", "kind" ("search"|"train"), "strategy", "space",
//    "finished" (bool), "wall_seconds" (number or null), "epochs",
//    "evaluated" (candidates; searches), "best": [{"architecture": canonical
//    text, "metrics": {name: number}}, ...] (best first, as on the page),
//    "config": the resolved config as JSON, "config_toml": its text}
// and of several runs {"runs": [one such object per run, in order]}.

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "experiments/report/run_view.h"

namespace experiments {

struct ReportFiles {
  std::string html;
  std::string summary_json;
};

// The page and summary of `runs` (at least one); with `refresh_seconds` > 0
// the page reloads itself that often (a live report). Throws
// ToolMissingError (harness/external_command.h) when gnuplot or Graphviz is
// not installed, ToolError when gnuplot fails (a cell Graphviz cannot draw
// gets a note on the page instead); std::invalid_argument for no runs.
// Texts that are not UTF-8 (a folder's name) are written with U+FFFD in
// summary.json.
ReportFiles build_report(const std::vector<RunView>& runs, int refresh_seconds);

// The summary alone (the format above).
std::string summary_json(const std::vector<RunView>& runs);

// Reads the runs in `dirs`, builds their report and writes index.html and
// summary.json into `out_dir` (created if needed), each through a
// temporary file and a rename, so a reader never sees half a page. Throws
// ArchiveError for a folder without a readable run archive, ToolError as
// build_report, std::runtime_error when the files cannot be written.
void write_report(const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& out_dir,
                  int refresh_seconds);

// The folder a report goes to: RUN_DIR/report for one run; for several,
// `requested` (the command line's --output), which is then required.
// Throws spaces::OptionError when several runs are given without one.
std::filesystem::path report_folder(const std::vector<std::filesystem::path>& dirs, const std::string& requested);

// `nas_report --live`: rewrites the report whenever a run has gone a
// further epoch (checked every `poll_seconds`), the page reloading itself
// every `poll_seconds`, until every run has finished; then writes the page
// once more without reloading and returns true. A run folder whose archive
// does not exist yet is waited for; an archive read while its run writes it
// that fails is read again at the next poll. When nothing has changed for
// `stale_seconds` (a run killed or crashed) it stops and returns false,
// leaving the last page. Progress lines go to `out`.
bool watch_report(const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& out_dir,
                  double poll_seconds, double stale_seconds, std::ostream& out);

}  // namespace experiments
