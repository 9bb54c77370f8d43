#pragma once
// Controller: a search strategy, a tenant of the search core.
//
// What a strategy declares (the core knows no strategy by name):
// - its capability record (Capabilities, registered with it): the spaces it
//   searches, whether it needs shared weights, is differentiable, staged,
//   and the metrics it learns from;
// - its schedule: the phases of each epoch (phases(epoch)): train the shared
//   weights on paths it samples, on uniform paths or on the mixed graph
//   (then with architecture steps before each weight step), train the
//   architecture parameters alone (FBNet's θ epochs), and evaluate
//   candidates it proposes, for a number of updates or until a stage closes.
//
// What it does in those phases: propose(n) emits architectures, each with
// an id; the core has each evaluated into named metrics and hands them
// back through observe(), which makes one learning step. A differentiable
// strategy (DARTS) also fills the DifferentiableController role: it owns
// architecture parameters, hands out the mixing weights the child network
// runs, and steps its own optimizer on the gradients the core computes.
// Controllers never see child networks; tensors and metrics are the
// currency.
//
// What it reports: records for the run archive (its own tables: PNAS's
// stages, DARTS's α per epoch) and log lines, taken by the core after
// every call that can produce them (take_report), and its result.
//
// Its state is one list of fields (state_fields), so state() and
// load_state() cannot disagree; see controllers/torch_state.h.
//
// Controllers are registered by short name with an options schema and a
// capability record:
//   REGISTER_CONTROLLER(enas, "summary", capabilities, options schema, factory);
//   make_controller("enas(lstm_size=64)", space, seed)

#include <torch/torch.h>

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "controllers/torch_state.h"
#include "spaces/infra/named_registry.h"
#include "spaces/infra/record.h"
#include "spaces/search_space.h"

namespace controllers {

// Named metrics of one evaluated candidate: "accuracy" and "loss" (on the
// evaluator's data), "params" (count), "macs" (multiply-accumulates per
// image), "seconds" (wall time of the evaluation), and whatever an
// evaluator adds.
using Metrics = std::map<std::string, double>;

struct Proposal {
  std::int64_t id = 0;  // unique within a controller's life (and across resume)
  spaces::Arch arch;
};

struct Feedback {
  std::int64_t id = 0;
  double reward = 0.0;   // the search's first objective, read from `metrics`; always higher-is-better (accuracy)
  Metrics metrics = {};  // everything the evaluator measured
  // The search's objectives ([search] objectives, or the strategy's own
  // capability record), in that order and lower-is-better (accuracy
  // negated; controllers/pareto.h): what a multi-objective strategy ranks by.
  std::vector<double> objectives = {};
};

// What one learning step did. A statistic the strategy does not have (PNAS
// has no baseline or entropy; its loss exists only when a stage closes) is NaN.
struct UpdateStats {
  double loss = std::numeric_limits<double>::quiet_NaN();
  double mean_reward = std::numeric_limits<double>::quiet_NaN();
  double baseline = std::numeric_limits<double>::quiet_NaN();
  double entropy = std::numeric_limits<double>::quiet_NaN();  // mean entropy of the decisions' distributions
  std::int64_t count = 0;                                     // feedback items (or steps) it learned from
};

// The mean reward of `feedback` (NaN when empty).
double mean_reward(const std::vector<Feedback>& feedback);

// --- The schedule -------------------------------------------------------

// Which paths a weight-training phase trains the shared weights on.
enum class PathSource {
  kSampled,  // the controller's sample(1) per step (ENAS's policy, a stage's cells)
  kUniform,  // a uniformly random architecture of the space per step (SPOS, random search with weight sharing)
  kMixed,    // the whole relaxed graph, weighted by the differentiable role's edge_weights (DARTS)
};

// Train the shared weights for [child] steps_per_epoch steps (0: one pass
// over the training split), one SGD step per training minibatch.
struct TrainWeightsPhase {
  PathSource paths = PathSource::kSampled;
  // Before each weight step, one step of the architecture parameters on a
  // minibatch of the validation split (DARTS's bilevel alternation).
  // Needs a differentiable controller and kMixed paths.
  bool architecture_steps = false;
};

// Propose, evaluate, observe: `updates` times, `per_update` proposals
// each (0: [controller] updates_per_epoch and archs_per_update); or, with
// `proposals` > 0, exactly that many proposals in updates of per_update
// (a staged strategy's whole stage).
struct EvaluatePhase {
  std::int64_t updates = 0;
  std::int64_t per_update = 0;
  std::int64_t proposals = 0;
};

// Step the architecture parameters only, the weights held: one
// architecture step per minibatch of one pass over the validation split
// (capped at [child] steps_per_epoch when that is set). FBNet's θ epoch,
// on its 20 % split, after a weight epoch on the other 80 %. Needs a
// differentiable controller.
struct TrainArchitecturePhase {};

using Phase = std::variant<TrainWeightsPhase, EvaluatePhase, TrainArchitecturePhase>;

// "train weights (sampled paths)", "evaluate (10 x 10)": for logs and --list.
std::string describe(const Phase& phase);

// --- Capabilities --------------------------------------------------------

// What a registered strategy is, checked before any work starts (a
// mismatch with the config is refused naming both) and shown by
// `nas_search --list`. Modelled on OpenSpiel's GameType.
struct Capabilities {
  std::vector<std::string> spaces;  // registered space names it searches; "*": any space
  // Its own learning needs the shared weights (DARTS's architecture
  // steps), so they are trained whatever the evaluator; otherwise weight
  // training serves shared-weight evaluation only and is skipped when the
  // evaluator trains its own networks.
  bool needs_shared_weights = false;
  bool differentiable = false;  // fills DifferentiableController; trains on the mixed graph
  bool staged = false;          // works in stages and finishes (epochs_to_finish)
  // The metrics it learns from, first = the reward; several: multi-objective.
  std::vector<std::string> objectives = {"accuracy"};

  bool accepts_space(const std::string& space_name) const;
  bool multi_objective() const { return objectives.size() > 1; }
};

// --- Reports -------------------------------------------------------------

// What a strategy produced since it was last asked: rows for the archive's
// tables and lines for the run's log.
struct Report {
  std::vector<spaces::Record> records;
  std::vector<std::string> log;
};

// --- The differentiable role -----------------------------------------------

// A strategy whose architecture is continuous (DARTS, FBNet): it owns the
// architecture parameters and their optimizer, and hands the child network
// mixing weights. Edges are numbered per cell as DARTS numbers them: node
// i (0-based) takes edges from states 0 .. i+1 (the two cell inputs, then
// earlier nodes), so node i's edges start at sum_{k<i} (2 + k).
class DifferentiableController {
 public:
  virtual ~DifferentiableController() = default;
  // The candidate ops of every edge, in the column order of edge_weights()
  // (DARTS: its PRIMITIVES, 'none' first).
  virtual std::vector<std::string> candidate_ops() const = 0;
  // One [edges, ops] tensor per cell type (normal, reduction): the mixing
  // weights, a differentiable function of the architecture parameters
  // (DARTS: the softmax of α per edge). A fresh graph each call.
  virtual std::vector<torch::Tensor> edge_weights() = 0;
  // The architecture parameters, in the order gradients are given back.
  virtual std::vector<torch::Tensor> architecture_parameters() = 0;
  // Whether the architecture gradient is first order (1) or unrolled
  // through one virtual weight step (2), as DARTS's --unrolled.
  virtual int gradient_order() const = 0;
  // One optimizer step from `gradients` (one per architecture parameter,
  // of its shape and dtype, in architecture_parameters() order);
  // `validation_loss` is the loss they came from, reported back as
  // UpdateStats::loss with the weights' mean entropy per edge (nats).
  // Throws std::invalid_argument for another number of gradients.
  virtual UpdateStats architecture_step(const std::vector<torch::Tensor>& gradients, double validation_loss) = 0;
  // The objective the architecture gradient differentiates, from the
  // validation batch's mean cross-entropy (0-d) and the edge weights the
  // forward pass ran (as edge_weights() returned them): DARTS's is the
  // cross-entropy itself (this default); FBNet's adds the expected latency
  // of the weights. A differentiable function of both; used by first-order
  // gradients only (the unrolled gradient differentiates the cross-entropy).
  virtual torch::Tensor architecture_loss(const torch::Tensor& cross_entropy,
                                          const std::vector<torch::Tensor>& edge_weights) {
    (void)edge_weights;
    return cross_entropy;
  }
};

// --- Costs and constraints -------------------------------------------------

// What the core tells a strategy about a candidate before it is evaluated:
// its costs, and whether they satisfy the run's constraints ([search]
// max_params, max_macs). Costs come from building the candidate's network
// (childnets/), which controllers never include; a strategy that checks
// constraints itself (SPOS's is_legal, OFA's efficiency predictor) asks
// here instead of spending an evaluation.
class CostModel {
 public:
  virtual ~CostModel() = default;
  // "params" (count of weights) and "macs" (multiply-accumulates of one
  // image's forward pass) of the candidate's network. Throws
  // spaces::ArchError for an architecture of another space.
  virtual Metrics costs(const spaces::Arch& arch) = 0;
  // Empty when `arch` satisfies every constraint; otherwise the first one
  // it breaks, as "macs 3.4e+08 > max_macs 3.3e+08".
  virtual std::string violation(const spaces::Arch& arch) = 0;
  // Whether the run sets any constraint.
  virtual bool constrained() const = 0;
  // The run's latency table ([search] latency_table), per searched layer:
  // each candidate's milliseconds (at the batch the run's latency_ms is
  // predicted at), keyed as the space's network keys a layer's candidates
  // (FBNet: {block token}; SPOS: {block, width x 10}). Stem and head are
  // not included. Empty when the run has no latency table.
  virtual std::vector<std::map<std::vector<std::int64_t>, double>> layer_latency_ms() const { return {}; }
};

// --- The strategy ----------------------------------------------------------

class Controller {
 public:
  virtual ~Controller() = default;
  virtual std::string name() const = 0;

  // The phases of epoch `epoch` (0-based: the number of epochs the search
  // has finished), in order; asked at the start of each epoch, so a
  // strategy may change its schedule as it goes (a warm-up of weights only,
  // as PC-DARTS and FBNet do, is a function of `epoch`).
  virtual std::vector<Phase> phases(std::int64_t epoch) const = 0;

  // Depends only on the controller's state (its random generators are part
  // of it): after load_state(s), propose(n) returns what it returned after
  // the state s was taken. The core resumes within an update on this. May
  // return fewer than n (a stage with fewer cells left); n <= 0: none.
  virtual std::vector<Proposal> propose(int n) = 0;
  // Architectures drawn as propose() draws them, for training shared
  // weights (PathSource::kSampled): never observed, so no learning state is
  // kept for them.
  virtual std::vector<spaces::Arch> sample(int n) = 0;
  // Throws std::invalid_argument for an id it did not propose (or already observed).
  virtual UpdateStats observe(const std::vector<Feedback>& feedback) = 0;

  // Whether the strategy has nothing more to do (PNAS after its last stage).
  virtual bool finished() const { return false; }
  // Epochs it still needs to finish, when it knows (staged strategies: one
  // per stage left); nullopt for open-ended strategies.
  virtual std::optional<std::int64_t> epochs_to_finish() const { return std::nullopt; }
  // Its own choice of result, best first (PNAS: the last stage by measured
  // accuracy; DARTS: the derived genotype). Empty: the core takes the best
  // measured architectures.
  virtual std::vector<spaces::Arch> result() const { return {}; }
  // Records and log lines since the last call; the core takes them after
  // every observe() and architecture_step(), before any state() is saved.
  virtual Report take_report() { return {}; }
  // The differentiable role, or nullptr.
  virtual DifferentiableController* differentiable() { return nullptr; }
  // The core hands every strategy the run's cost model once, before the
  // first phase; it outlives the strategy. Strategies that do not check
  // constraints themselves ignore it (the core does not refuse candidates
  // for them).
  virtual void use_cost_model(CostModel* model) { (void)model; }

  // A snapshot: its tensors are copies that later learning never changes.
  StateDict state() const;
  // Throws spaces::StateError (an std::invalid_argument) naming what is
  // missing or of the wrong shape.
  void load_state(const StateDict& state);

 protected:
  // Every saved field of the strategy, once: saves or loads as `fields` says.
  virtual void state_fields(StateFields& fields) = 0;
};

// --- The registry ----------------------------------------------------------

using ControllerFactory = std::function<std::unique_ptr<Controller>(spaces::SpacePtr space,
                                                                    const spaces::Params& params, std::uint64_t seed)>;

// Each entry's info is the strategy's capability record.
using ControllerRegistry = spaces::NamedRegistry<ControllerFactory, Capabilities>;

ControllerRegistry& controller_registry();

// "enas(lstm_size=32)": throws spaces::OptionError for an unknown name or
// option, and for a space the strategy does not search (naming both).
std::unique_ptr<Controller> make_controller(std::string_view spec, spaces::SpacePtr space, std::uint64_t seed);

// Throws spaces::OptionError "controller 'enas' does not search space
// 'darts' (it searches: enas_micro, enas_macro, nao)" unless `controller`
// accepts `space_name`.
void check_controller_space(const std::string& controller, const std::string& space_name);

struct ControllerRegistrar {
  ControllerRegistrar(std::string name, std::string summary, Capabilities capabilities,
                      std::vector<spaces::ParamSpec> params, ControllerFactory factory);
};

}  // namespace controllers

// REGISTER_CONTROLLER(name, summary, Capabilities{...}, {ParamSpec...} or schema.specs(), factory)
#define REGISTER_CONTROLLER(NAME, ...) \
  static const ::controllers::ControllerRegistrar NAS_CONCAT(controller_registrar_, NAME)(#NAME, __VA_ARGS__)
