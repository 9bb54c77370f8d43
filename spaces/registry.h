#pragma once
// The registry of search spaces: a space is built from its short name and
// options, e.g. make_space("enas_micro(nodes=4)") or make_space("genet",
// {{"stages", std::vector<int64_t>{3, 4, 5}}}). A new space registers itself
// in its own .cpp:
//
//   REGISTER_SPACE(my_space, "one line on what it is", {ParamSpec{...}},
//                  [](const Params& p) { return std::make_shared<const MySpace>(p); });

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "spaces/infra/named_registry.h"
#include "spaces/search_space.h"

namespace spaces {

using SpaceFactory = std::function<SpacePtr(const Params&)>;
using SpaceRegistry = NamedRegistry<SpaceFactory>;

SpaceRegistry& space_registry();

// Throws OptionError for an unknown name or a bad option.
SpacePtr make_space(std::string_view spec);
SpacePtr make_space(const std::string& name, const std::map<std::string, ParamValue>& given);

struct SpaceRegistrar {
  SpaceRegistrar(std::string name, std::string summary, std::vector<ParamSpec> params, SpaceFactory factory);
};

}  // namespace spaces

// REGISTER_SPACE(name, summary, {ParamSpec...}, factory): the arguments after
// the name are SpaceRegistrar's, passed through whole so braces and lambdas
// may contain commas.
#define REGISTER_SPACE(NAME, ...) \
  static const ::spaces::SpaceRegistrar NAS_CONCAT(space_registrar_, NAME)(#NAME, __VA_ARGS__)
