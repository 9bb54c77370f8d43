#include "spaces/registry.h"

namespace spaces {

SpaceRegistry& space_registry() {
  static SpaceRegistry registry("space");
  return registry;
}

SpacePtr make_space(const std::string& name, const std::map<std::string, ParamValue>& given) {
  const SpaceRegistry& registry = space_registry();
  return registry.find(name).factory(registry.resolve(name, given));
}

SpacePtr make_space(std::string_view spec) {
  NamedSpec named = parse_named_spec(spec);
  return make_space(named.name, named.given);
}

SpaceRegistrar::SpaceRegistrar(std::string name, std::string summary, std::vector<ParamSpec> params,
                               SpaceFactory factory) {
  space_registry().add({std::move(name), std::move(summary), std::move(params), std::move(factory)});
}

}  // namespace spaces
