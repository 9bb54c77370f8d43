#include "controllers/controller.h"

#include "spaces/registry.h"

namespace controllers {

ControllerRegistry& controller_registry() {
  static ControllerRegistry registry("controller");
  return registry;
}

std::unique_ptr<Controller> make_controller(std::string_view spec, spaces::SpacePtr space, std::uint64_t seed) {
  const spaces::NamedSpec named = spaces::parse_named_spec(spec);
  const ControllerRegistry& registry = controller_registry();
  return registry.find(named.name).factory(std::move(space), registry.resolve(named.name, named.given), seed);
}

ControllerRegistrar::ControllerRegistrar(std::string name, std::string summary, std::vector<spaces::ParamSpec> params,
                                         ControllerFactory factory) {
  controller_registry().add({std::move(name), std::move(summary), std::move(params), std::move(factory)});
}

}  // namespace controllers
