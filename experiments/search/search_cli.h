#pragma once
// The command line shared by nas_search and enas_search:
//   --config FILE     TOML config (default: the built-in Fashion-MNIST ENAS search)
//   --set S.K=V       override any key (repeatable)
//   --run-dir DIR     run directory (default: [run] dir; "{time}" in it becomes
//                     the start time, so a command can be run again)
//   --resume DIR      continue the run in DIR from its newest checkpoint
//   --seed N          [run] seed
// Exit codes: 0 done, 2 bad input (config, data, archive), 1 anything else.

#include <iosfwd>
#include <string>
#include <vector>

namespace experiments {

// `required_controller` empty: any; else the config's controller must be it.
// `defaults`: "section.key=value" settings for a run without --config (and
// not resumed), before --set's (pnas_search: the pnas space and controller).
int run_search_cli(const std::vector<std::string>& args, const std::string& required_controller, std::ostream& out,
                   std::ostream& err, const std::vector<std::string>& defaults = {});

}  // namespace experiments
