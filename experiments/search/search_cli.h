#pragma once
// The command line of the search binaries (nas_search, enas_search,
// pnas_search, nao_search, darts_search, spos_search, evolution_search):
//   --config FILE     TOML config (default: the binary's built-in config)
//   --set S.K=V       override any key (repeatable)
//   --run-dir DIR     run directory (default: [run] dir; "{time}" in it becomes
//                     the start time, so a command can be run again)
//   --resume DIR      continue the run in DIR from its newest checkpoint
//   --seed N          [run] seed
//   --list            print every strategy (options, defaults, capability
//                     record, schedule) and evaluator, then exit
// Exit codes: 0 done, 2 bad input (config, data, archive, a strategy that
// does not fit the space or evaluator), 1 anything else.

#include <iosfwd>
#include <string>
#include <vector>

namespace experiments {

// `required_controller` empty: any; else the config's controller must be it.
// `default_config`: the experiments/configs/ file (built in) a run without
// --config uses, before --set's; empty: the schema's defaults.
int run_search_cli(const std::vector<std::string>& args, const std::string& required_controller, std::ostream& out,
                   std::ostream& err, const std::string& default_config = "");

}  // namespace experiments
