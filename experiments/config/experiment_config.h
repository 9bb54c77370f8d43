#pragma once
// ExperimentConfig: an experiment's resolved configuration, read from TOML
// (toml++) and `--set section.key=value` overrides, every key checked
// before any work starts.
//
// The schema is a list of sections with typed, range-checked keys
// (spaces::ParamSpec, each with its default and one-line help). Two
// sections are open-ended: [space] and [controller] take a `name` and then
// the options that registered space or controller declares, so
// `controller = "nao"`-style swaps need no schema change. Any unknown
// section or key, wrong type or out-of-range value is a ConfigError naming
// the file, the line and the key.

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "spaces/infra/params.h"

namespace experiments {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ConfigSection {
  std::string name;                     // "child"
  std::vector<spaces::ParamSpec> keys;  // fixed keys
  // "space" / "controller": the section also takes the named registry
  // entry's options; `keys` then holds `name` (and any fixed extras).
  enum class Options { kFixed, kSpace, kController } options = Options::kFixed;
};

using ConfigSchema = std::vector<ConfigSection>;

class ExperimentConfig {
 public:
  // Reads `path` (empty: defaults only), then applies `overrides`
  // ("section.key=value"). Throws ConfigError.
  static ExperimentConfig load(const ConfigSchema& schema, const std::string& path,
                               const std::vector<std::string>& overrides);
  // The same from TOML text; `source` names it in errors and in source()
  // ("experiments/configs/fashion_mnist_darts.toml (built in)").
  static ExperimentConfig load_text(const ConfigSchema& schema, const std::string& text, const std::string& source,
                                    const std::vector<std::string>& overrides);

  const spaces::Params& section(const std::string& name) const;
  // "enas_micro(nodes=5)", "enas(lr=0.0035,...)": the registry specs of the
  // [space] and [controller] sections.
  std::string space_spec() const { return registry_spec("space"); }
  std::string controller_spec() const { return registry_spec("controller"); }
  // Every key with its resolved value, as TOML; reads back to the same config.
  std::string to_toml() const;
  // Every key with its resolved value as TOML text: "child.lr" -> "0.05",
  // "space.name" -> "'darts'", registry options included.
  std::map<std::string, std::string> settings() const;
  const std::string& source() const { return source_; }
  const ConfigSchema& schema() const { return *schema_; }

  // Where the value of [section] key came from: "file:12", "--set
  // child.lr=0.1", or source() for a default.
  std::string where(const std::string& section, const std::string& key) const;
  // An error about a value that fails a check made after loading (against
  // the data set, or another value): "file:12: [data] validation_size =
  // 70000: <problem>". For the callers to throw.
  ConfigError error_at(const std::string& section, const std::string& key, const std::string& problem) const;

 private:
  std::string registry_spec(const std::string& section) const;
  const ConfigSchema* schema_ = nullptr;
  std::map<std::string, spaces::Params> sections_;
  std::map<std::string, spaces::Params> registry_options_;  // [space]/[controller] options of the named entry
  std::string source_;
  std::map<std::string, std::string> places_;  // "child.lr" -> where it was given
};

}  // namespace experiments
