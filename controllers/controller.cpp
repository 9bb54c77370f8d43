#include "controllers/controller.h"

#include <sstream>

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

std::string rng_to_text(const spaces::Rng& rng) {
  std::ostringstream text;
  text << rng;
  return text.str();
}

void rng_from_text(const std::string& text, spaces::Rng& rng) {
  std::istringstream in(text);
  spaces::Rng restored;
  in >> restored;
  if (in.fail()) throw std::invalid_argument("controller state: unreadable generator state");
  rng = restored;
}

}  // namespace controllers
