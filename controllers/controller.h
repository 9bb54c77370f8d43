#pragma once
// Controller: a search strategy. propose(n) emits architectures, each with
// an id; observe(feedback) takes the rewards of proposed ids and makes one
// learning step. The controller's whole state is named tensors, scalars and
// texts (state()/load_state()), so experiments/ can checkpoint it without
// controllers/ knowing about files. Controllers never see child networks:
// the search loop turns architectures into rewards.
//
// Controllers are registered by short name with option specs, so a
// config's `controller = "enas"` is the whole swap:
//   REGISTER_CONTROLLER(enas, "summary", {ParamSpec...}, factory);
//   make_controller("enas(lstm_size=64)", space, seed)

#include <torch/torch.h>

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "spaces/named_registry.h"
#include "spaces/search_space.h"

namespace controllers {

struct Proposal {
  std::int64_t id = 0;  // unique within a controller's life (and across resume)
  spaces::Arch arch;
};

struct Feedback {
  std::int64_t id = 0;
  double reward = 0.0;
};

// What one observe() did. A statistic the strategy does not have (PNAS has
// no baseline or entropy; its loss exists only when a stage closes) is NaN.
struct UpdateStats {
  double loss = std::numeric_limits<double>::quiet_NaN();
  double mean_reward = 0.0;
  double baseline = std::numeric_limits<double>::quiet_NaN();
  double entropy = std::numeric_limits<double>::quiet_NaN();  // mean entropy of the sampled decisions' distributions
  std::int64_t count = 0;
};

// An architecture a model-based strategy (NAO) generated for its next
// stage: from which parent, at which step size, with what predicted score.
// A random addition has no parent (empty tokens) and NaN numbers.
struct GeneratedArch {
  spaces::Arch arch, parent;
  double step_size = 0.0;
  double predicted = 0.0;              // the model's score for the generated architecture
  double predicted_improvement = 0.0;  // predicted minus the parent's predicted score
};

// One finished stage of a staged strategy (PNAS's block stages, NAO's
// cycles): the cells it evaluated, what its model predicted for them
// beforehand and what was measured, and how well the predictions ranked them.
struct StageRecord {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::int64_t stage = 0;       // 1-based (PNAS: the block count; NAO: the cycle)
  std::int64_t candidates = 0;  // cells scored to choose these
  std::vector<spaces::Arch> cells;
  std::vector<double> predicted_mean, predicted_spread;  // NaN where nothing predicted (PNAS stage 1)
  std::vector<double> measured;
  double surrogate_loss = kNaN;  // after training on everything measured through this stage (NaN: no training)
  double spearman = kNaN, kendall = kNaN;  // predicted against measured, on cells the model had not seen (NaN: none)
  // Strategies with a decoder (NAO), after this stage's training: token
  // accuracy of reconstructing the stage's cells, and the share of
  // unmasked greedy reconstructions the space accepts. NaN otherwise.
  double reconstruction_accuracy = kNaN, valid_rate = kNaN;
  std::vector<GeneratedArch> generated;  // for the next stage (NAO)
};

struct ControllerState {
  std::map<std::string, torch::Tensor> tensors;
  std::map<std::string, double> scalars;
  std::map<std::string, std::string> texts;
};

class Controller {
 public:
  virtual ~Controller() = default;
  virtual std::string name() const = 0;
  // Depends only on the controller's state (its random generators are part
  // of state()): after load_state(s), propose(n) returns what it returned
  // after the state s was taken. The search loop resumes within an update on this.
  virtual std::vector<Proposal> propose(int n) = 0;
  // Architectures drawn as propose() draws them, for training shared
  // weights: never observed, so no learning state is kept for them.
  virtual std::vector<spaces::Arch> sample(int n) = 0;
  // Throws std::invalid_argument for an id it did not propose (or already observed).
  virtual UpdateStats observe(const std::vector<Feedback>& feedback) = 0;
  // A snapshot: its tensors are the controller's own copies, which later
  // learning never changes.
  virtual ControllerState state() const = 0;
  // Throws std::invalid_argument naming what is missing or of the wrong shape.
  virtual void load_state(const ControllerState& state) = 0;
  // Whether the strategy has nothing more to propose (PNAS after its last
  // stage). Open-ended strategies never finish.
  virtual bool finished() const { return false; }
  // The stages finished so far, oldest first; empty for unstaged strategies.
  virtual std::vector<StageRecord> completed_stages() const { return {}; }
};

using ControllerFactory = std::function<std::unique_ptr<Controller>(spaces::SpacePtr space,
                                                                    const spaces::Params& params, std::uint64_t seed)>;
using ControllerRegistry = spaces::NamedRegistry<ControllerFactory>;

ControllerRegistry& controller_registry();

// "enas(lstm_size=32)": throws spaces::OptionError for an unknown name or option.
std::unique_ptr<Controller> make_controller(std::string_view spec, spaces::SpacePtr space, std::uint64_t seed);

struct ControllerRegistrar {
  ControllerRegistrar(std::string name, std::string summary, std::vector<spaces::ParamSpec> params,
                      ControllerFactory factory);
};

}  // namespace controllers

#define REGISTER_CONTROLLER(NAME, ...) \
  static const ::controllers::ControllerRegistrar NAS_CONCAT(controller_registrar_, NAME)(#NAME, __VA_ARGS__)
