#pragma once
// nas_arch: the architecture tool for researchers. Subcommands:
//   list                                  registered spaces and their options
//   size SPACE [--nodes B|--layers L|...] exact size (per cell and total)
//   check SPACE 'TEXT'                    valid, or the error with position and range
//   show SPACE 'TEXT'                     the decoded cells as text
//   dot SPACE 'TEXT' -o cell.dot|.svg|.png  Graphviz export (svg/png need `dot`)
//   sample SPACE -n N --seed S            N random architectures
//   convert SPACE 'TEXT' --to FORMAT      between a space's text formats
//   latency --table FILE ['TEXT'...] [--random N --seed S]
//                                         networks timed end to end (ms,
//                                         batch 1, the table's thread count)
//                                         against the table's prediction;
//                                         the table names the space and
//                                         shape; a table of another libtorch
//                                         build or an unreadable one: exit 2
// SPACE is a registered name, optionally with options: 'enas_micro(nodes=4)'.
//
// Exit codes: 0 success, 2 bad input (unknown space or option, invalid
// architecture, bad flags) or Graphviz missing or failing for an .svg/.png/
// .pdf export, 1 anything else (an unwritable file).

#include <iosfwd>
#include <string>
#include <vector>

namespace experiments {

// Runs the tool on argv-style arguments (args[0] is the program name),
// printing results to `out` and errors to `err`; returns the exit code.
int run_arch_tool(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace experiments
