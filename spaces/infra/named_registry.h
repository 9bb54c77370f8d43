#pragma once
// NamedRegistry: short name -> (summary, option specs, factory, info),
// filled by static registrars in each implementation's .cpp (REGISTER_SPACE
// in spaces/, REGISTER_CONTROLLER in controllers/). `Info` is what else a
// kind of entry declares (a controller's capability record). The libraries
// holding registrars are linked whole (third_party/dependencies.cmake) so
// none is dropped.

#include <algorithm>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "spaces/infra/errors.h"
#include "spaces/infra/params.h"

namespace spaces {

template <class Factory, class Info = std::monostate>
class NamedRegistry {
 public:
  struct Entry {
    std::string name;
    std::string summary;
    std::vector<ParamSpec> params;
    Factory factory;
    Info info{};
  };

  explicit NamedRegistry(std::string kind) : kind_(std::move(kind)) {}

  // Throws std::logic_error for a name registered already (a defect of the
  // program, at static initialisation).
  void add(Entry entry) {
    const std::string name = entry.name;
    if (!entries_.emplace(name, std::move(entry)).second) {
      throw std::logic_error(kind_ + " '" + name + "' registered twice");
    }
  }

  // Throws OptionError "unknown <kind> 'x' (known: a, b)".
  const Entry& find(const std::string& name) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) throw OptionError("unknown " + kind_ + " '" + name + "' (known: " + known() + ")");
    return it->second;
  }

  std::vector<std::string> names() const {
    std::vector<std::string> result;
    for (const auto& [name, entry] : entries_) result.push_back(name);
    return result;
  }

  // Resolves a user's options against the entry's specs, naming the owner
  // as "<kind> '<name>'" in every error.
  Params resolve(const std::string& name, const std::map<std::string, ParamValue>& given) const {
    return Params::resolve(kind_ + " '" + name + "'", find(name).params, given);
  }

 private:
  std::string known() const {
    std::string text;
    for (const auto& [name, entry] : entries_) text += (text.empty() ? "" : ", ") + name;
    return text;
  }
  std::string kind_;
  std::map<std::string, Entry> entries_;
};

}  // namespace spaces

#define NAS_CONCAT_INNER(a, b) a##b
#define NAS_CONCAT(a, b) NAS_CONCAT_INNER(a, b)
