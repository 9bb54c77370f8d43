#pragma once
// The configs of experiments/configs/, compiled into the binaries: a
// search binary's default config is the shipped file itself (read at build
// time), so what runs without --config and what the file lists cannot
// drift apart.

#include <string>
#include <vector>

namespace experiments {

// The text of experiments/configs/<file_name>; throws std::logic_error for
// a name that is not there (a build without that file).
const std::string& embedded_config(const std::string& file_name);
// The file names, sorted.
std::vector<std::string> embedded_config_names();

}  // namespace experiments
