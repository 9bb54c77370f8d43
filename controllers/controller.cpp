#include "controllers/controller.h"

#include <algorithm>

#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace controllers {

double mean_reward(const std::vector<Feedback>& feedback) {
  if (feedback.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0.0;
  for (const Feedback& f : feedback) sum += f.reward;
  return sum / double(feedback.size());
}

std::string describe(const Phase& phase) {
  if (const auto* train = std::get_if<TrainWeightsPhase>(&phase)) {
    static const char* paths[] = {"sampled paths", "uniform paths", "the mixed graph"};
    return std::string("train weights on ") + paths[static_cast<int>(train->paths)] +
           (train->architecture_steps ? ", an architecture step before each weight step" : "");
  }
  if (std::holds_alternative<TrainArchitecturePhase>(phase)) {
    return "train the architecture parameters on the validation split, weights held";
  }
  const auto& evaluate = std::get<EvaluatePhase>(phase);
  const auto count = [](std::int64_t n, const char* key) { return n > 0 ? std::to_string(n) : std::string(key); };
  if (evaluate.proposals > 0) {
    return "evaluate " + std::to_string(evaluate.proposals) + " proposals in updates of " +
           count(evaluate.per_update, "archs_per_update");
  }
  return "evaluate " + count(evaluate.updates, "updates_per_epoch") + " updates of " +
         count(evaluate.per_update, "archs_per_update");
}

bool Capabilities::accepts_space(const std::string& space_name) const {
  return std::find_if(spaces.begin(), spaces.end(),
                      [&](const std::string& s) { return s == space_name || s == "*"; }) != spaces.end();
}

StateDict Controller::state() const {
  StateDict dict;
  StateFields fields = StateFields::saver(dict, name() + " controller state");
  // Saving only reads the fields; state_fields is one function for both directions.
  const_cast<Controller*>(this)->state_fields(fields);
  return dict;
}

void Controller::load_state(const StateDict& state) {
  StateFields fields = StateFields::loader(state, name() + " controller state");
  state_fields(fields);
}

ControllerRegistry& controller_registry() {
  static ControllerRegistry registry("controller");
  return registry;
}

void check_controller_space(const std::string& controller, const std::string& space_name) {
  const Capabilities& capabilities = controller_registry().find(controller).info;
  if (capabilities.accepts_space(space_name)) return;
  std::string known;
  for (const auto& s : capabilities.spaces) known += (known.empty() ? "" : ", ") + s;
  throw spaces::OptionError("controller '" + controller + "' does not search space '" + space_name +
                            "' (it searches: " + known + ")");
}

std::unique_ptr<Controller> make_controller(std::string_view spec, spaces::SpacePtr space, std::uint64_t seed) {
  const spaces::NamedSpec named = spaces::parse_named_spec(spec);
  const ControllerRegistry& registry = controller_registry();
  const auto& entry = registry.find(named.name);
  const spaces::Params params = registry.resolve(named.name, named.given);
  check_controller_space(named.name, space->name());
  return entry.factory(std::move(space), params, seed);
}

ControllerRegistrar::ControllerRegistrar(std::string name, std::string summary, Capabilities capabilities,
                                         std::vector<spaces::ParamSpec> params, ControllerFactory factory) {
  controller_registry().add(
      {std::move(name), std::move(summary), std::move(params), std::move(factory), std::move(capabilities)});
}

}  // namespace controllers
