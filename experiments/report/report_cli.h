#pragma once
// nas_report's command line:
//   nas_report RUN_DIR [RUN_DIR ...] [-o DIR] [--live [--poll S] [--stale S]]
// writes the report of the runs (report.h) and prints where. Exit 0 when
// written (--live: once every run finished); 1 when --live stopped on runs
// that stopped changing, or on an internal error; 2 after a message on `err` naming what is wrong and where (a
// folder without a readable run.h5, several runs without --output,
// gnuplot or Graphviz missing, the report folder not writable, a malformed
// command line).

#include <iosfwd>
#include <string>
#include <vector>

namespace experiments {

int run_report_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace experiments
