// Fuzz target: an experiment's TOML config through its schema
// (experiments/config/experiment_config.h), with `--set` overrides: toml++
// parsing, the typed and range-checked keys, the [space] and [controller]
// registry options, the search and the train_arch schema.
//
// Input: leading lines "--set section.key=value" are overrides; the rest
// is the TOML file. Each input is loaded under both schemas. Refusal
// allowed: experiments::ConfigError. On every accepted config: to_toml()
// loads back to the same settings (the config a run directory records is
// the one that ran).

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "experiments/config/experiment_config.h"
#include "experiments/config/search_schema.h"
#include "experiments/config/train_schema.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

void load_under(const experiments::ConfigSchema& schema, const std::string& toml,
                const std::vector<std::string>& overrides) {
  experiments::ExperimentConfig config;
  try {
    config = experiments::ExperimentConfig::load_text(schema, toml, "fuzz.toml", overrides);
  } catch (const experiments::ConfigError&) {
    return;
  }
  // Written, loaded and written again: the same settings, and (its header
  // naming the source aside) the same text from then on.
  const auto again = experiments::ExperimentConfig::load_text(schema, config.to_toml(), "resolved.toml", {});
  const std::string resolved = again.to_toml();
  const auto third = experiments::ExperimentConfig::load_text(schema, resolved, "resolved.toml", {});
  if (again.settings() != config.settings() || third.to_toml() != resolved) {
    std::fprintf(stderr, "resolved:\n%s\nloaded back and written again:\n%s\n", resolved.c_str(),
                 third.to_toml().c_str());
    const auto before = config.settings(), after = again.settings();
    for (const auto& [key, value] : before) {
      const auto it = after.find(key);
      if (it == after.end() || it->second != value) {
        std::fprintf(stderr, "%s: %s, loaded back: %s\n", key.c_str(), value.c_str(),
                     it == after.end() ? "(missing)" : it->second.c_str());
      }
    }
    fuzz::require(false, "to_toml() loads back to the same settings and text");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string toml = fuzz::as_text(data, size);
  std::vector<std::string> overrides;
  const std::string prefix = "--set ";
  while (toml.starts_with(prefix)) {
    const std::size_t end = toml.find('\n');
    overrides.push_back(toml.substr(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size()));
    toml = end == std::string::npos ? std::string() : toml.substr(end + 1);
  }
  load_under(experiments::search_schema(), toml, overrides);
  load_under(experiments::train_schema(), toml, overrides);
  return 0;
}
