#pragma once
// The command line of train_arch, the final training of one architecture:
//   --arch TEXT|PRESET  architecture text (needs --space) or a preset name
//   --space SPEC        the architecture's space, e.g. "darts" or "enas_macro(layers=24)"
//   --from-run DIR      the best architecture of the search run in DIR ...
//   --rank K            ... or its K-th best (default 1)
//   --config FILE       TOML config (default: the built-in Fashion-MNIST final training)
//   --set S.K=V         override any key (repeatable)
//   --run-dir DIR       run directory (default: [run] dir, "{time}" = start time)
//   --resume DIR        continue the run in DIR from its newest checkpoint
//   --seed N            [run] seed
//   --dry-run           print the architecture and its network's size, then stop
// --arch and --space override [arch] arch and space of the config.
// Exit codes: 0 done, 2 bad input (arguments, config, architecture, data,
// archive), 1 anything else.

#include <iosfwd>
#include <string>
#include <vector>

namespace experiments {

int run_train_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace experiments
