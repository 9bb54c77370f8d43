#include "experiments/config/experiment_config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "controllers/controller.h"
#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace experiments {
namespace {

// A value as the user wrote it, and where.
struct Given {
  spaces::ParamValue value;
  std::string where;  // "file:12" or "--set child.lr=..."
};
using GivenSection = std::map<std::string, Given>;

std::string where_of(const std::string& path, const toml::node& node) {
  return path + ":" + std::to_string(node.source().begin.line);
}

// TOML value -> ParamValue; throws ConfigError for tables, dates, mixed arrays.
spaces::ParamValue value_of(const toml::node& node, const std::string& where, const std::string& key) {
  if (const auto* v = node.as_boolean()) return v->get();
  if (const auto* v = node.as_integer()) return v->get();
  if (const auto* v = node.as_floating_point()) return v->get();
  if (const auto* v = node.as_string()) return v->get();
  if (const auto* array = node.as_array()) {
    std::vector<std::int64_t> list;
    for (const auto& element : *array) {
      const auto* integer = element.as_integer();
      if (integer == nullptr) throw ConfigError(where + ": key '" + key + "' must be a list of integers");
      list.push_back(integer->get());
    }
    return list;
  }
  throw ConfigError(where + ": key '" + key + "' has a value of a type configs do not use");
}

const ConfigSection& find_section(const ConfigSchema& schema, const std::string& name, const std::string& where) {
  for (const auto& section : schema) {
    if (section.name == name) return section;
  }
  std::string known;
  for (const auto& section : schema) known += (known.empty() ? "" : ", ") + section.name;
  throw ConfigError(where + ": unknown section [" + name + "] (sections: " + known + ")");
}

bool is_fixed_key(const ConfigSection& section, const std::string& key) {
  for (const auto& spec : section.keys) {
    if (spec.name == key) return true;
  }
  return false;
}

// Resolves `given` against `specs`, reporting an error at the key's place.
spaces::Params resolve(const std::string& owner, const std::vector<spaces::ParamSpec>& specs,
                       const GivenSection& given) {
  std::map<std::string, spaces::ParamValue> values;
  for (const auto& [key, g] : given) values[key] = g.value;
  try {
    return spaces::Params::resolve(owner, specs, values);
  } catch (const spaces::OptionError& e) {
    // Name the first key the message mentions, with its place.
    const std::string message = e.what();
    for (const auto& [key, g] : given) {
      if (message.find("'" + key + "'") != std::string::npos) throw ConfigError(g.where + ": " + message);
    }
    throw ConfigError(message);
  }
}

std::string toml_value(const spaces::ParamValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    // A text with a control character is always a basic string ("...",
    // escaped): toml++ would otherwise write one with line breaks as a
    // multi-line string (whose first line break TOML drops on reading) or a
    // literal one holding a raw line break (which TOML refuses). Other texts
    // keep toml++'s literal form ('darts').
    auto flags = toml::toml_formatter::default_flags & ~toml::format_flags::allow_multi_line_strings;
    if (std::any_of(s->begin(), s->end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      flags = flags & ~toml::format_flags::allow_literal_strings;
    }
    std::ostringstream quoted;
    const toml::value<std::string> text(*s);
    quoted << toml::toml_formatter(text, flags);
    return quoted.str();
  }
  std::string text = spaces::to_string(value);
  // TOML reads "5" or "-0" as an integer (and -0 as 0): a number is written
  // so that it reads back as the number it is ("5.0", "-0.0"; "1e-05",
  // "inf" and "nan" already are).
  if (std::holds_alternative<double>(value) && text.find_first_of(".en") == std::string::npos) text += ".0";
  return text;
}

}  // namespace

ExperimentConfig ExperimentConfig::load(const ConfigSchema& schema, const std::string& path,
                                        const std::vector<std::string>& overrides) {
  if (path.empty()) return load_text(schema, "", "(defaults)", overrides);
  if (!std::filesystem::exists(path)) throw ConfigError(path + ": no such config file");
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot read the config file");
  std::ostringstream text;
  text << in.rdbuf();
  return load_text(schema, text.str(), path, overrides);
}

ExperimentConfig ExperimentConfig::load_text(const ConfigSchema& schema, const std::string& text,
                                             const std::string& source, const std::vector<std::string>& overrides) {
  std::map<std::string, GivenSection> given;
  ExperimentConfig config;
  config.schema_ = &schema;
  config.source_ = source;
  const std::string& path = source;
  if (!text.empty()) {
    toml::table table;
    try {
      table = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
      throw ConfigError(path + ":" + std::to_string(e.source().begin.line) + ":" +
                        std::to_string(e.source().begin.column) + ": " + std::string(e.description()));
    }
    for (const auto& [section_key, section_node] : table) {
      const std::string section_name(section_key.str());
      const auto* section_table = section_node.as_table();
      if (section_table == nullptr) {
        throw ConfigError(where_of(path, section_node) + ": '" + section_name + "' must be a [section]");
      }
      find_section(schema, section_name, where_of(path, section_node));
      for (const auto& [key, node] : *section_table) {
        const std::string where = where_of(path, node);
        given[section_name][std::string(key.str())] = Given{value_of(node, where, std::string(key.str())), where};
      }
    }
  }
  for (const std::string& override_text : overrides) {
    const std::string where = "--set " + override_text;
    const auto eq = override_text.find('=');
    const auto dot = override_text.find('.');
    if (eq == std::string::npos || dot == std::string::npos || dot > eq) {
      throw ConfigError(where + ": expected section.key=value");
    }
    const std::string section = override_text.substr(0, dot), key = override_text.substr(dot + 1, eq - dot - 1);
    find_section(schema, section, where);
    given[section][key] = Given{override_text.substr(eq + 1), where};
  }
  for (const ConfigSection& section : schema) {
    GivenSection fixed, options;
    for (const auto& [key, g] : given[section.name]) {
      const bool open = section.options != ConfigSection::Options::kFixed && !is_fixed_key(section, key);
      (open ? options : fixed)[key] = g;
    }
    for (const auto& [key, g] : given[section.name]) config.places_[section.name + "." + key] = g.where;
    config.sections_[section.name] = resolve("[" + section.name + "]", section.keys, fixed);
    if (section.options == ConfigSection::Options::kFixed) continue;
    const std::string name = config.sections_[section.name].get_string("name");
    const std::vector<spaces::ParamSpec>* registry_params = nullptr;
    try {
      registry_params = section.options == ConfigSection::Options::kSpace
                            ? &spaces::space_registry().find(name).params
                            : &controllers::controller_registry().find(name).params;
    } catch (const spaces::OptionError& e) {
      const auto it = given[section.name].find("name");
      throw ConfigError((it != given[section.name].end() ? it->second.where : config.source_) + ": [" + section.name +
                        "] name: " + e.what());
    }
    config.registry_options_[section.name] = resolve("[" + section.name + "] " + name, *registry_params, options);
  }
  return config;
}

const spaces::Params& ExperimentConfig::section(const std::string& name) const {
  const auto it = sections_.find(name);
  if (it == sections_.end()) throw std::logic_error("config has no section [" + name + "]");
  return it->second;
}

std::string ExperimentConfig::where(const std::string& section_name, const std::string& key) const {
  const auto it = places_.find(section_name + "." + key);
  return it == places_.end() ? source_ : it->second;
}

ConfigError ExperimentConfig::error_at(const std::string& section_name, const std::string& key,
                                       const std::string& problem) const {
  const auto all = settings();
  const auto it = all.find(section_name + "." + key);
  const std::string value = it == all.end() ? "(unset)" : it->second;
  return ConfigError(where(section_name, key) + ": [" + section_name + "] " + key + " = " + value + ": " + problem);
}

std::string ExperimentConfig::registry_spec(const std::string& section_name) const {
  const std::string name = section(section_name).get_string("name");
  const std::string options = registry_options_.at(section_name).to_string();
  return options.empty() ? name : name + "(" + options + ")";
}

std::map<std::string, std::string> ExperimentConfig::settings() const {
  std::map<std::string, std::string> all;
  for (const auto* sections : {&sections_, &registry_options_}) {
    for (const auto& [section_name, params] : *sections) {
      for (const auto& [key, value] : params.values()) all[section_name + "." + key] = toml_value(value);
    }
  }
  return all;
}

std::string ExperimentConfig::to_toml() const {
  std::ostringstream text;
  text << "# resolved configuration (from " << source_ << ")\n";
  for (const ConfigSection& section : *schema_) {
    text << "\n[" << section.name << "]\n";
    for (const auto& [key, value] : sections_.at(section.name).values())
      text << key << " = " << toml_value(value) << "\n";
    if (const auto it = registry_options_.find(section.name); it != registry_options_.end()) {
      for (const auto& [key, value] : it->second.values()) text << key << " = " << toml_value(value) << "\n";
    }
  }
  return text.str();
}

}  // namespace experiments
