#include "experiments/search/search_loop.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>

#include "childnets/memory_estimate.h"
#include "childnets/network_family.h"
#include "childnets/supernet.h"
#include "controllers/controller.h"
#include "experiments/archive/checkpoint.h"
#include "experiments/archive/run_archive.h"
#include "experiments/config/common_schema.h"
#include "experiments/config/setting_checks.h"
#include "experiments/data/load.h"
#include "experiments/distributed/data_parallel.h"
#include "experiments/harness/progress.h"
#include "experiments/harness/resume_changes.h"
#include "experiments/harness/run_setup.h"
#include "experiments/harness/system_memory.h"
#include "experiments/harness/training_state.h"
#include "experiments/search/evaluators.h"
#include "experiments/search/metrics_text.h"
#include "experiments/search/pareto_tracker.h"
#include "experiments/search/ranking_monitor.h"
#include "experiments/search/search_context.h"
#include "experiments/search/search_objectives.h"
#include "experiments/search/spread_evaluation.h"
#include "experiments/search/uniform_paths.h"
#include "experiments/search/weight_training.h"
#include "spaces/infra/number_text.h"
#include "spaces/registry.h"

namespace experiments {
namespace fs = std::filesystem;
namespace {

using spaces::kNaN;

// A candidate the search measured: its metrics and architecture.
struct Candidate {
  double reward = 0.0;
  controllers::Metrics metrics;
  spaces::Arch arch;
};

// Phases as text, one per line, for a checkpoint: "train <paths> <architecture steps> 0",
// "evaluate <updates> <per_update> <proposals>" or "architecture 0 0 0".
std::string phases_text(const std::vector<controllers::Phase>& phases) {
  std::string text;
  for (const controllers::Phase& phase : phases) {
    if (const auto* t = std::get_if<controllers::TrainWeightsPhase>(&phase)) {
      text +=
          "train " + std::to_string(static_cast<int>(t->paths)) + " " + (t->architecture_steps ? "1" : "0") + " 0\n";
    } else if (std::holds_alternative<controllers::TrainArchitecturePhase>(phase)) {
      text += "architecture 0 0 0\n";
    } else {
      const auto& e = std::get<controllers::EvaluatePhase>(phase);
      text += "evaluate " + std::to_string(e.updates) + " " + std::to_string(e.per_update) + " " +
              std::to_string(e.proposals) + "\n";
    }
  }
  return text;
}

std::vector<controllers::Phase> phases_from_text(const std::string& text) {
  std::vector<controllers::Phase> phases;
  std::istringstream lines(text);
  std::string kind;
  while (lines >> kind) {
    std::int64_t a = 0, b = 0, c = 0;
    if (!(lines >> a >> b >> c)) throw std::invalid_argument("unreadable phase list");
    if (kind == "train" && a >= 0 && a <= 2) {
      phases.push_back(controllers::TrainWeightsPhase{static_cast<controllers::PathSource>(a), b != 0});
    } else if (kind == "evaluate") {
      phases.push_back(controllers::EvaluatePhase{a, b, c});
    } else if (kind == "architecture") {
      phases.push_back(controllers::TrainArchitecturePhase{});
    } else {
      throw std::invalid_argument("unknown phase '" + kind + "'");
    }
  }
  return phases;
}

// A strategy's declared phases against its roles: mixed paths and
// architecture steps (in a weight phase or alone) need the differentiable
// role, architecture steps in a weight phase need mixed paths. Throws std::logic_error naming the strategy (a defect of
// the strategy, not of the user's input).
void check_phases(const std::string& strategy, controllers::Controller& controller,
                  const std::vector<controllers::Phase>& phases) {
  for (const controllers::Phase& phase : phases) {
    if (std::holds_alternative<controllers::TrainArchitecturePhase>(phase) && controller.differentiable() == nullptr) {
      throw std::logic_error("strategy '" + strategy +
                             "' declares an architecture training phase but has no differentiable role");
    }
    const auto* train = std::get_if<controllers::TrainWeightsPhase>(&phase);
    if (train == nullptr) continue;
    const bool mixed = train->paths == controllers::PathSource::kMixed;
    if ((mixed || train->architecture_steps) && controller.differentiable() == nullptr) {
      throw std::logic_error("strategy '" + strategy +
                             "' declares a training phase on the mixed graph or with architecture steps but has "
                             "no differentiable role");
    }
    if (train->architecture_steps && !mixed) {
      throw std::logic_error("strategy '" + strategy +
                             "' declares architecture steps on paths other than the mixed graph");
    }
  }
}

// The update's statistics for the progress line; those the strategy lacks (NaN) are left out.
std::string update_text(const controllers::UpdateStats& stats) {
  std::string text;
  const auto add = [&](const char* name, double value, int digits) {
    if (!std::isnan(value)) text.append(text.empty() ? "" : " ").append(name).append(" ").append(fixed(value, digits));
  };
  add("reward", stats.mean_reward, 3);
  add("entropy", stats.entropy, 2);
  add("baseline", stats.baseline, 3);
  add("loss", stats.loss, 4);
  return text;
}

}  // namespace

struct SearchLoop::State {
  State(const ExperimentConfig& c, std::string dir, std::ostream& p)
      : context(c, p, process_world()), run_dir(std::move(dir)) {}

  SearchContext context;
  std::string run_dir, checkpoint_dir;
  std::unique_ptr<controllers::Controller> controller;
  controllers::Capabilities capabilities;
  SearchObjectives objectives;
  std::unique_ptr<ParetoTracker> pareto;  // with 2 or 3 objectives
  std::unique_ptr<Evaluator> evaluator;
  std::unique_ptr<RunArchive> archive;  // rank 0's only: the other ranks write nothing
  bool trains_weights = false;          // whether anything reads the shared weights
  spaces::Rng path_rng;                 // uniform paths

  // Where the current epoch stands; a checkpoint within an epoch saves it.
  struct Position {
    std::vector<controllers::Phase> phases;  // the epoch's, asked at its start (empty: not started)
    std::int64_t phase = 0;                  // the one running
    std::int64_t updates_done = 0;           // in the running evaluate phase
    std::int64_t evaluations_done = 0;       // in the running evaluate phase
    std::int64_t updates = 0;                // in the epoch's evaluate phases so far
    double reward_sum = 0, entropy_sum = 0;  // of those updates
    // Within an update: the feedback of its first proposals, and the
    // controller's state before it proposed them (propose() depends only on
    // that state, so a resumed run proposes the same again).
    std::vector<controllers::Feedback> update_feedback;
    std::int64_t update_evaluated = 0;  // of update_feedback, how many were evaluated (not skipped as seen)
    controllers::StateDict before_update;
  } position;
  // The best measured candidates so far, for the final measurement.
  std::vector<Candidate> candidates;
  // The budget: candidates evaluated (counted at the end of each update, so
  // a resume within an update asks the strategy for as many as before),
  // and the wall time of earlier processes of this run.
  std::int64_t trials = 0;
  double seconds_before = 0.0;
  Clock::time_point started = Clock::now();
  // [search] skip_seen: the metrics of every network evaluated, by canonical
  // key (kept only then, so other searches neither hash nor checkpoint them;
  // skip_seen cannot change on resume).
  std::map<std::uint64_t, controllers::Metrics> seen;
  // The best accuracy of the search's evaluations so far (NaN: none), for trial early stopping.
  double best_accuracy = kNaN;

  double seconds_spent() const {
    return seconds_before + std::chrono::duration<double>(Clock::now() - started).count();
  }
  // A row of /progress: `event` ("epoch": an epoch ended; "finished": the
  // final phase ended), the wall time of the run so far (seconds, across
  // resumes) and the trials evaluated.
  spaces::Record progress_row(const std::string& event) const {
    return spaces::Record("progress").set("event", event).set("seconds", seconds_spent()).set("trials", trials);
  }
  // Whether [search] max_trials or max_seconds is spent.
  bool budget_spent() const {
    const auto& search = context.config.section("search");
    const std::int64_t max_trials = search.get_int("max_trials");
    const double max_seconds = search.get_double("max_seconds");
    std::vector<double> spent = {
        (max_trials > 0 && trials >= max_trials) || (max_seconds > 0 && seconds_spent() >= max_seconds) ? 1.0 : 0.0};
    context.world.broadcast(spent);  // rank 0's clock decides for every rank
    return spent[0] != 0.0;
  }

  const std::string& objective() const { return objectives.names.front(); }
  // The feedback of proposal `id` measured as `metrics`: its reward and objectives.
  controllers::Feedback feedback_of(std::int64_t id, controllers::Metrics metrics) const {
    const double reward = metrics.at(objective());
    controllers::ObjectiveVector values = objectives.of(metrics);
    return {id, reward, std::move(metrics), std::move(values)};
  }
  // Every field of a checkpoint, saved or loaded.
  void state_fields(StateFields& fields);
  // Appends the pending records to the archive.
  void append_pending();
  // Appends the pending records and writes a checkpoint at `path`.
  void write_checkpoint_to(const std::string& path);
  // Whether the phase ran to its end (false: the budget stopped it between updates).
  bool evaluate_phase(const controllers::EvaluatePhase& phase);
  // Proposals of an update evaluated side by side on the ranks: from where
  // the update stands up to `end`, holding at most as many evaluations as
  // are left before the next in-update checkpoint ([run]
  // checkpoint_evaluations; 0: the rest of the update).
  struct EvaluationBlock {
    std::size_t end = 0;             // one past its last proposal
    std::vector<std::size_t> fresh;  // the proposals to evaluate, in order; the others are skipped as seen
  };
  EvaluationBlock next_block(const std::vector<controllers::Proposal>& proposed, std::size_t begin,
                             std::int64_t every) const;
  // A row of /archs: an evaluation of `phase` "controller" (the search's) or "final", with its metrics.
  void record_archs_row(const std::string& phase, const spaces::Arch& arch, const controllers::Metrics& metrics,
                        double reward);
  // A search evaluation's row of /archs, its place on the Pareto front, and its candidacy for the final phase.
  void record_evaluation(const spaces::Arch& arch, const controllers::Metrics& metrics);
  void keep_best_candidates();
  std::vector<std::pair<spaces::Arch, double>> final_phase();
};

namespace {

// The checks of a config against the strategy's capability record, before any work.
void check_capabilities(const ExperimentConfig& config, const std::string& controller,
                        const controllers::Capabilities& capabilities, const spaces::SearchSpace& space) {
  if (capabilities.differentiable && !childnets::has_supernet(space)) {
    throw config.error_at(
        "space", "name",
        "controller '" + controller + "' is differentiable; space '" + space.spec() + "' has no supernet");
  }
}

// A constraint no candidate can meet is refused before anything runs (OFA's
// rejection sampling spins forever on one): 1000 random candidates are
// costed and, when none satisfies the constraints, the cheapest is named.
void check_constraints_feasible(const ExperimentConfig& config, CandidateCosts& costs, const spaces::SearchSpace& space,
                                std::uint64_t seed) {
  if (!costs.constrained()) return;
  spaces::Rng rng(seed + 3);
  std::string cheapest;
  double cheapest_macs = std::numeric_limits<double>::infinity();
  for (int i = 0; i < 1000; ++i) {
    const spaces::Arch arch = space.random(rng);
    const std::string violation = costs.violation(arch);
    if (violation.empty()) return;
    const double macs = costs.costs(arch).at("macs");
    if (macs < cheapest_macs) {
      cheapest_macs = macs;
      cheapest = violation;
    }
  }
  throw config.error_at("search", costs.constraint_key(),
                        "none of 1000 random architectures of " + space.spec() + " satisfies " + costs.describe() +
                            " (the cheapest: " + cheapest + ")");
}

// The shared weights of the newest checkpoint of the run in `dir`, copied
// into `store`; a ConfigError at [search] shared_weights_from naming what
// does not fit (another space, another [child] shape, no checkpoint).
void load_shared_weights(const ExperimentConfig& config, const std::string& dir, childnets::ParameterStoreImpl& store) {
  const auto fail = [&](const std::string& why) {
    throw config.error_at("search", "shared_weights_from", "'" + dir + "': " + why);
  };
  const std::vector<std::string> checkpoints = list_checkpoints((fs::path(dir) / "checkpoints").string());
  if (checkpoints.empty()) fail("no checkpoints (not a search's run directory, or one that has not finished an epoch)");
  const std::string other_space = read_search_outcome((fs::path(dir) / "run.h5").string()).space;
  if (other_space != config.space_spec()) {
    fail("its weights are of space " + other_space + ", this search's is " + config.space_spec());
  }
  const Checkpoint checkpoint = read_checkpoint(checkpoints.back());
  try {
    StateFields fields = StateFields::loader(checkpoint, checkpoints.back());
    controllers::bind_module(fields, "store", store);
  } catch (const spaces::StateError& e) {
    fail(std::string(e.what()) + " (the [child] settings that shape the weights must be that run's)");
  }
}

}  // namespace

SearchLoop::SearchLoop(const ExperimentConfig& config, std::string run_dir, bool resume, std::ostream& progress)
    : state_(std::make_unique<State>(config, std::move(run_dir), progress)) {
  State& s = *state_;
  SearchContext& c = s.context;
  const auto& run = config.section("run");
  const auto& data = config.section("data");
  const auto& child = config.section("child");
  const auto& search = config.section("search");
  torch::set_num_threads(static_cast<int>(run.get_int("threads")));
  const std::uint64_t seed = static_cast<std::uint64_t>(run.get_int("seed"));
  torch::manual_seed(seed);
  s.path_rng.seed(seed + 2);

  // Everything that can fail on bad input happens before the run directory is touched.
  // A resume may extend the run or change how it runs, not what it searches
  // or the data; settings that shape the checkpoint's state fail its load.
  std::optional<ResumeChanges> resume_changes;
  if (resume) {
    resume_changes.emplace(
        s.run_dir, config,
        std::vector<std::string>{"run.seed", "data.dataset", "data.path", "data.label", "data.ignore_columns",
                                 "data.test_fraction", "data.split_seed", "data.validation_size", "data.train_limit",
                                 "space.*", "controller.name", "search.skip_seen", "search.objectives",
                                 "search.hypervolume_reference", "search.latency_table", "search.latency_batch",
                                 "search.latency_warmup", "search.latency_runs"});
  }
  c.space = spaces::make_space(config.space_spec());
  const std::string controller_name = config.section("controller").get_string("name");
  s.controller = controllers::make_controller(config.controller_spec(), c.space, seed);
  s.capabilities = controllers::controller_registry().find(controller_name).info;
  const EvaluatorInfo& evaluator_info = find_evaluator(search.get_string("evaluation"));
  check_capabilities(config, controller_name, s.capabilities, *c.space);
  s.objectives = resolve_objectives(config, controller_name, s.capabilities, evaluator_info);
  if (const auto needed = s.controller->epochs_to_finish(); needed && !resume && *needed > search.get_int("epochs")) {
    throw config.error_at(
        "search", "epochs",
        "controller '" + controller_name + "' needs " + std::to_string(*needed) + " epochs to finish (one per stage)");
  }
  s.trains_weights = s.capabilities.needs_shared_weights || evaluator_info.reads_shared_weights;
  if (s.trains_weights && !childnets::has_shared_store(*c.space)) {
    throw config.error_at(
        "search", "evaluation",
        "space '" + c.space->name() +
            "' has no shared weights (each of its networks is built for "
            "its own architecture): evaluate its candidates as trials (evaluation = \"trial\") or "
            "with a predictor" +
            (s.capabilities.needs_shared_weights ? std::string(", with a strategy that does not train shared weights")
                                                 : std::string()));
  }
  if (const auto* role = s.controller->differentiable(); role != nullptr && role->gradient_order() == 2) {
    // The unrolled gradient's virtual step is architect.py's: plain momentum SGD, weight decay on every tensor,
    // on the plain loss. Each key that departs from it, and its value there.
    const std::pair<const char*, bool> departures[] = {{"nesterov", child.get_bool("nesterov")},
                                                       {"label_smoothing", child.get_double("label_smoothing") > 0.0},
                                                       {"decay_all", !child.get_bool("decay_all")}};
    for (const auto& [key, departs] : departures) {
      if (departs) {
        throw config.error_at("child", key,
                              "the second-order architecture gradient (order 2) unrolls plain momentum SGD with weight "
                              "decay on every tensor on the unsmoothed loss, as DARTS's architect.py does; use its "
                              "default or order 1");
      }
    }
  }

  c.train_full = load_dataset(data_source_of(data), "train");
  if (data.get_int("train_limit") > 0 && data.get_int("train_limit") < c.train_full.size()) {
    c.train_full = c.train_full.subset(torch::arange(data.get_int("train_limit")), c.train_full.name);
  }
  check_validation_size(config, c.train_full.size());
  check_image_settings(config, c.train_full);
  check_sgd_settings(config, "child");
  c.split = split_train_validation(c.train_full, data.get_int("validation_size"), seed);
  check_batch_fits(config, "child", "batch_size", c.split.train.size(), "training");
  check_batch_fits(config, "controller", "valid_batch_size", c.split.validation.size(), "validation");
  check_batch_splits(config, "child", "batch_size", c.world.size());
  if (s.controller->differentiable() != nullptr) {
    check_batch_splits(config, "controller", "valid_batch_size", c.world.size());
  }
  c.normalization = Normalization::of(c.split.train);
  c.validation_images = c.normalization.apply(c.split.validation.images).to(c.placement.device);
  const auto augment = AugmentOptions()
                           .crop_padding(data.get_int("crop_padding"))
                           .horizontal_flip(data.get_bool("horizontal_flip"))
                           .cutout(data.get_int("cutout"));
  c.train_batches = std::make_unique<BatchIterator>(
      c.split.train, c.normalization,
      BatchIteratorOptions().batch_size(child.get_int("batch_size")).seed(seed).augment(augment));
  c.valid_batches = std::make_unique<BatchIterator>(
      c.split.validation, c.normalization,
      BatchIteratorOptions().batch_size(config.section("controller").get_int("valid_batch_size")).seed(seed + 1));
  c.network_options = childnets::NetworkOptions()
                          .input_channels(c.train_full.channels())
                          .image_size(c.train_full.image_size())
                          .num_classes(c.train_full.num_classes)
                          .channels(child.get_int("channels"))
                          .cells_per_stage(child.get_int("cells_per_stage"))
                          .stem_multiplier(child.get_int("stem_multiplier"))
                          .factorized_reductions(child.get_bool("factorized_reductions"))
                          .dropout(child.get_double("dropout"));
  c.step_options = step_options_of(child).reduce_gradients(averaged_gradients(c.world));
  std::string latency_line;
  c.costs = std::make_unique<CandidateCosts>(c, resume, &latency_line);
  check_constraints_feasible(config, *c.costs, *c.space, seed);
  fill_default_reference(s.objectives, *c.space, *c.costs);
  if (s.objectives.multi()) s.pareto = std::make_unique<ParetoTracker>(s.objectives);
  c.uniform_paths = std::make_unique<UniformPaths>(config, c.space, *c.costs, seed);
  s.controller->use_cost_model(c.costs.get());
  std::string memory_line;
  if (s.trains_weights) {
    controllers::DifferentiableController* differentiable = s.controller->differentiable();
    // A weight step holds the weights with their gradients and momentum
    // (the unrolled step keeps three more copies), and the activations a
    // forward pass keeps. The weights are known before they are allocated.
    const std::int64_t copies = 3 + (differentiable != nullptr && differentiable->gradient_order() == 2 ? 3 : 0);
    const double limit = run.get_double("memory_gb") * 1e9, machine = double(available_memory_bytes());
    const double available = limit > 0 && (machine < 0 || limit < machine) ? limit : machine;
    const std::string available_text =
        fixed(available / 1e9, 1) + " GB available" + (available == limit ? " ([run] memory_gb)" : "");
    const std::int64_t store_bytes = childnets::extrapolate_store_bytes(
        [&](std::int64_t channels) {
          const auto options = childnets::NetworkOptions(c.network_options).channels(channels);
          return (differentiable != nullptr
                      ? childnets::make_supernet_store(c.space, options, differentiable->candidate_ops())
                      : childnets::make_shared_store(c.space, options))
              ->bytes();
        },
        c.network_options.channels());
    const double weights_needed = double(store_bytes) * double(copies);
    if (available > 0 && weights_needed > available) {
      throw config.error_at("child", "channels",
                            std::string(differentiable != nullptr ? "the supernet's" : "the shared") +
                                " weights would take " + fixed(double(store_bytes) / 1e9, 2) + " GB, " +
                                fixed(weights_needed / 1e9, 2) + " GB with their gradients and momentum; " +
                                available_text + ". Lower child.channels, child.cells_per_stage or the space's nodes");
    }
    if (differentiable != nullptr) {
      c.store = childnets::make_supernet_store(c.space, c.network_options, differentiable->candidate_ops());
      c.network = childnets::make_supernet(c.space, c.network_options, differentiable->candidate_ops(), c.store);
    } else {
      c.store = childnets::make_shared_store(c.space, c.network_options);
      c.network = childnets::ChildNetwork(c.space, c.network_options, c.store);
    }
    c.store->to(c.placement.device);  // the network borrows the store, which holds every weight
    c.sgd = childnets::make_sgd(c.store->parameters(), sgd_options_of(child));
    spaces::Rng probe_rng(seed);
    const spaces::ArchGraph probe = c.space->decode(c.space->random(probe_rng));
    const childnets::StepMemory step = childnets::measure_step_memory([&](std::int64_t batch) {
      c.network->eval();
      const torch::Tensor x = torch::zeros(
          {batch, c.network_options.input_channels(), c.network_options.image_size(), c.network_options.image_size()});
      const torch::Tensor logits = differentiable != nullptr
                                       ? c.network->forward_mixed(x, differentiable->edge_weights()).logits
                                       : c.network->forward(x, probe).logits;
      return logits.sum();
    });
    const std::int64_t batch =
        std::max(child.get_int("batch_size"), config.section("controller").get_int("valid_batch_size"));
    const double needed = double(c.store->bytes() * copies) + 1.25 * double(step.activations(batch));
    memory_line = "one weight step needs about " + fixed(needed / 1e9, 2) + " GB (weights " +
                  fixed(double(c.store->bytes()) / 1e6, 1) + " MB, activations " +
                  fixed(double(step.activations(batch)) / 1e9, 2) + " GB at batch " + std::to_string(batch) + "); " +
                  available_text;
    if (available > 0 && needed > available) {
      throw config.error_at("child", "batch_size",
                            memory_line +
                                ". Lower child.batch_size, child.channels, child.cells_per_stage or the space's nodes "
                                "(as DARTS #98 advises for its supernet)");
    }
  }
  if (const std::string from = search.get_string("shared_weights_from"); !from.empty() && !resume) {
    if (!c.store) {
      throw config.error_at("search", "shared_weights_from",
                            "nothing in this search reads shared weights (controller '" + controller_name +
                                "', evaluator '" + evaluator_info.name + "')");
    }
    load_shared_weights(config, from, *c.store);
  }
  s.evaluator = evaluator_info.make(c);

  const std::string archive_path = (fs::path(s.run_dir) / "run.h5").string();
  const bool writes = c.world.writes();
  const std::string resume_from =
      writes || resume ? prepare_run_directory(s.run_dir, resume, config.to_toml()) : std::string();
  s.checkpoint_dir = (fs::path(s.run_dir) / "checkpoints").string();
  if (writes) {
    s.archive = resume ? RunArchive::open(archive_path, c.space->spec())
                       : RunArchive::create(archive_path, c.space->spec(), config.to_toml());
  }
  c.world.barrier("rank 0 preparing the run directory");
  c.log = make_rank_logger("search", s.run_dir, c.world);
  warn_if_oversubscribed(*c.log, run.get_int("threads"), c.world);
  if (!resume_from.empty()) {
    const std::string changed = resume_changes->restore(
        resume_from, [&](StateFields& fields) { s.state_fields(fields); }, [&] { return c.epoch; },
        [&](const std::string& text) { s.archive->set_config(text); }, writes);
    c.log->info("resumed from {} at epoch {}{}", resume_from, c.epoch + 1, changed);
  }
  c.log->info("space {}, controller {}, evaluator {}, data {} ({} train / {} validation)", c.space->spec(),
              config.controller_spec(), evaluator_info.name, c.train_full.name, c.split.train.size(),
              c.split.validation.size());
  if (c.store) {
    c.log->info("shared weights: {} ({:.1f} MB); {}", s.controller->differentiable() ? "supernet" : "store",
                double(c.store->bytes()) / 1e6, memory_line);
  } else {
    c.log->info("no shared weights: the evaluator trains its own networks");
  }
  if (!s.evaluator->summary().empty()) c.log->info("{}", s.evaluator->summary());
  if (!latency_line.empty()) c.log->info("{}", latency_line);
  if (c.world.size() > 1) {
    c.log->info(
        "data-parallel over {} ranks: each trains on {} of every batch of {}; the architecture of each weight "
        "step is checked to agree",
        c.world.size(), child.get_int("batch_size") / c.world.size(), child.get_int("batch_size"));
  }
  c.log->info("resolved configuration:\n{}", config.to_toml());
}

SearchLoop::~SearchLoop() = default;

void SearchLoop::State::state_fields(StateFields& fields) {
  SearchContext& c = context;
  // Within an update the controller has proposed; its state from before is the one to resume from.
  controllers::StateDict controller_state;
  if (fields.saving())
    controller_state = position.update_feedback.empty() ? controller->state() : position.before_update;
  fields.dict("controller", controller_state);
  if (fields.loading()) controller->load_state(controller_state);
  if (c.store) {
    controllers::bind_module(fields, "store", *c.store);
    controllers::bind_sgd(fields, "sgd", *c.sgd, c.store->parameters());
  }
  bind_iterator(fields, "train_batches", *c.train_batches);
  bind_iterator(fields, "valid_batches", *c.valid_batches);
  bind_torch_generator(fields);
  spaces::bind_rng(fields, "path_rng", path_rng);
  fields.integer("epoch", c.epoch);
  fields.integer("global_step", c.global_step);

  // The archive's row counts: the names of its tables, then a count each.
  bind_world_size(fields, c.world);
  RunArchive::RowCounts counts = fields.saving() ? archive->counts() : RunArchive::RowCounts{};
  std::string tables;
  for (const auto& [name, rows] : counts) tables += name + "\n";
  fields.text("archive_tables", tables);
  std::istringstream names(tables);
  for (std::string name; std::getline(names, name);) {
    auto rows = static_cast<std::int64_t>(counts[name]);
    fields.integer("archive_rows." + name, rows);
    counts[name] = static_cast<std::size_t>(rows);
  }

  std::string candidates_text;
  for (const Candidate& candidate : candidates) {
    candidates_text += candidate.arch.space + "\t" + spaces::join_tokens(candidate.arch.tokens) + "\t" +
                       metrics_text(candidate.metrics) + "\n";
  }
  fields.text("candidates", candidates_text);
  fields.integer("trials", trials);
  fields.scalar("best_accuracy", best_accuracy);
  double seconds = fields.saving() ? seconds_spent() : 0.0;
  fields.scalar("seconds", seconds);
  std::string seen_text;
  if (fields.saving()) {
    for (const auto& [key, metrics] : seen) seen_text += std::to_string(key) + "\t" + metrics_text(metrics) + "\n";
  }
  fields.text("seen", seen_text);

  std::string phases = phases_text(position.phases), feedback_text;
  for (const controllers::Feedback& f : position.update_feedback) feedback_text += metrics_text(f.metrics) + "\n";
  fields.text("position.phases", phases);
  fields.integer("position.phase", position.phase);
  fields.integer("position.updates_done", position.updates_done);
  fields.integer("position.evaluations_done", position.evaluations_done);
  fields.integer("position.updates", position.updates);
  fields.scalar("position.reward_sum", position.reward_sum);
  fields.scalar("position.entropy_sum", position.entropy_sum);
  fields.text("position.update_feedback", feedback_text);
  fields.integer("position.update_evaluated", position.update_evaluated);
  std::string pareto_text = pareto && fields.saving() ? pareto->state_text() : std::string();
  if (pareto) fields.text("pareto", pareto_text);
  if (fields.saving()) return;

  try {
    candidates.clear();
    std::istringstream lines(candidates_text);
    for (std::string line; std::getline(lines, line);) {
      const auto first = line.find('\t'), second = line.find('\t', first + 1);
      if (first == std::string::npos || second == std::string::npos) fields.fail("unreadable candidate '" + line + "'");
      const std::string spec = line.substr(0, first);
      spaces::Arch arch{spec, spaces::split_tokens(line.substr(first + 1, second - first - 1), spec)};
      c.space_of(arch)->validate(arch);
      controllers::Metrics metrics = metrics_from_text(line.substr(second + 1));
      const double reward = metrics.count(objective()) ? metrics.at(objective()) : kNaN;
      candidates.push_back({reward, std::move(metrics), std::move(arch)});
    }
    if (pareto) pareto->load_state_text(pareto_text);
    seconds_before = seconds;
    started = Clock::now();
    seen.clear();
    std::istringstream seen_lines(seen_text);
    for (std::string line; std::getline(seen_lines, line);) {
      const auto tab = line.find('\t');
      if (tab == std::string::npos) fields.fail("unreadable seen network '" + line + "'");
      seen[std::stoull(line.substr(0, tab))] = metrics_from_text(line.substr(tab + 1));
    }
    position.phases = phases_from_text(phases);
    position.update_feedback.clear();
    std::istringstream feedback_lines(feedback_text);
    for (std::string line; std::getline(feedback_lines, line);) {
      controllers::Feedback f;
      f.metrics = metrics_from_text(line);
      f.reward = f.metrics.at(objective());
      position.update_feedback.push_back(std::move(f));
    }
    check_phases(controller->name(), *controller, position.phases);
  } catch (const spaces::StateError&) {
    throw;
  } catch (const std::exception& e) {
    fields.fail(error_message(e));
  }
  // Last: a checkpoint that fails to load leaves run.h5 as it was.
  if (archive) archive->truncate(counts);
}

void SearchLoop::State::append_pending() {
  if (context.pending.empty()) return;
  if (archive) archive->append(context.pending);
  context.pending.clear();
}

void SearchLoop::State::write_checkpoint_to(const std::string& path) {
  append_pending();
  if (!context.world.writes()) return;
  write_checkpoint_of(path, "checkpoint", [this](StateFields& fields) { state_fields(fields); });
  prune_checkpoints(checkpoint_dir, path, context.config.section("run").get_int("keep_checkpoints"));
}

bool SearchLoop::State::evaluate_phase(const controllers::EvaluatePhase& phase) {
  SearchContext& c = context;
  const auto& section = c.config.section("controller");
  const std::int64_t per_update = phase.per_update > 0 ? phase.per_update : section.get_int("archs_per_update");
  const std::int64_t proposals =
      phase.proposals > 0 ? phase.proposals
                          : (phase.updates > 0 ? phase.updates : section.get_int("updates_per_epoch")) * per_update;
  const std::int64_t updates = (proposals + per_update - 1) / per_update;
  const std::int64_t epochs = c.config.section("search").get_int("epochs");
  const std::int64_t every = c.config.section("run").get_int("checkpoint_evaluations");
  const auto due = [&] { return every > 0 && position.evaluations_done % every == 0; };
  const auto checkpoint_here = [&] {
    write_checkpoint_to(
        in_epoch_checkpoint_path(checkpoint_dir, c.epoch + 1, position.phase, position.evaluations_done));
  };
  const std::string label = "epoch " + std::to_string(c.epoch + 1) + "/" + std::to_string(epochs) + " evaluate  ";
  const auto start = Clock::now();
  const std::int64_t first = position.updates_done;
  const auto& search = c.config.section("search");
  const bool skip_seen = search.get_bool("skip_seen");
  const std::int64_t max_trials = search.get_int("max_trials");
  bool stopped = false;
  while (position.updates_done < updates) {
    if (budget_spent()) {
      stopped = true;
      break;
    }
    // A resumed run re-proposes from the saved state and skips what was scored.
    const std::vector<controllers::Feedback> scored = std::exchange(position.update_feedback, {});
    // The state to resume from if a checkpoint falls inside this update.
    if (every > 0 && position.evaluations_done % every + per_update > every) {
      position.before_update = controller->state();
    }
    std::int64_t asked = std::min(per_update, proposals - position.updates_done * per_update);
    if (max_trials > 0) asked = std::min(asked, max_trials - trials);
    const std::vector<controllers::Proposal> proposed = controller->propose(static_cast<int>(asked));
    if (proposed.empty()) break;  // a finished strategy, or a stage with nothing left
    if (scored.size() >= proposed.size()) {
      throw ArchiveError("checkpoint: " + std::to_string(scored.size()) + " evaluations saved for an update of " +
                         std::to_string(proposed.size()) + " proposals");
    }
    std::vector<controllers::Feedback> feedback;
    for (std::size_t i = 0; i < scored.size(); ++i) feedback.push_back(feedback_of(proposed[i].id, scored[i].metrics));
    // Evaluated in this update (the skipped ones not counted), those before a resume included.
    std::int64_t evaluated = std::exchange(position.update_evaluated, 0);
    // Trials may stop early against the best before this update (its own
    // candidates are measured side by side on the ranks).
    c.best_accuracy = best_accuracy;
    while (feedback.size() < proposed.size()) {
      const EvaluationBlock block = next_block(proposed, feedback.size(), every);
      const std::vector<controllers::Metrics> measured = evaluate_spread(
          c.world, block.fresh.size(), [&](std::size_t k) { return c.canonical_key(proposed[block.fresh[k]].arch); },
          [&](std::size_t k) { return evaluator->evaluate(proposed[block.fresh[k]].arch); },
          [&](std::size_t) { evaluator->pass_over(evaluator->search_draws()); });
      for (std::size_t k = 0; k < block.fresh.size(); ++k) {
        record_evaluation(proposed[block.fresh[k]].arch, measured[k]);
        if (skip_seen) seen[c.canonical_key(proposed[block.fresh[k]].arch)] = measured[k];
      }
      for (std::size_t i = feedback.size(), k = 0; i < block.end; ++i) {
        const bool fresh = k < block.fresh.size() && block.fresh[k] == i;  // else skipped as seen
        feedback.push_back(
            feedback_of(proposed[i].id, fresh ? measured[k++] : seen.at(c.canonical_key(proposed[i].arch))));
      }
      evaluated += static_cast<std::int64_t>(block.fresh.size());
      position.evaluations_done += static_cast<std::int64_t>(block.fresh.size());
      if (!block.fresh.empty() && due() &&
          block.end < proposed.size()) {  // the update's last one waits until it is observed
        position.update_feedback = feedback;
        position.update_evaluated = evaluated;
        checkpoint_here();
        position.update_feedback.clear();
        position.update_evaluated = 0;
      }
    }
    c.best_accuracy = kNaN;
    for (const controllers::Feedback& f : feedback) {
      if (const auto it = f.metrics.find("accuracy"); it != f.metrics.end() && !(it->second <= best_accuracy)) {
        best_accuracy = it->second;
      }
    }
    const controllers::UpdateStats stats = controller->observe(feedback);
    trials += evaluated;
    c.record(spaces::Record("controller")
                 .set("kind", std::string("update"))
                 .set("loss", stats.loss)
                 .set("mean_reward", stats.mean_reward)
                 .set("baseline", stats.baseline)
                 .set("entropy", stats.entropy));
    c.take_report(*controller);
    position.reward_sum += stats.mean_reward;
    position.entropy_sum += stats.entropy;
    ++position.updates;
    ++position.updates_done;
    draw_progress(c.progress, label, position.updates_done, updates, update_text(stats), start, first);
    if (due()) checkpoint_here();
  }
  c.progress << "\n";
  keep_best_candidates();
  if (pareto) {
    for (spaces::Record& row : pareto->records()) c.record(std::move(row));
    c.log->info("epoch {} Pareto front: {} of {} measured, hypervolume {:.6g}", c.epoch + 1, pareto->front_size(),
                pareto->measured(), pareto->hypervolume());
  }
  const double done = double(std::max<std::int64_t>(position.updates, 1));
  c.log->info("epoch {} evaluate: {} updates, mean reward {:.4f}{}", c.epoch + 1, position.updates_done,
              position.reward_sum / done,
              std::isnan(position.entropy_sum) ? "" : ", entropy " + fixed(position.entropy_sum / done, 3));
  return !stopped;
}

SearchLoop::State::EvaluationBlock SearchLoop::State::next_block(const std::vector<controllers::Proposal>& proposed,
                                                                 std::size_t begin, std::int64_t every) const {
  const bool skip_seen = context.config.section("search").get_bool("skip_seen");
  const std::size_t room = every > 0 ? static_cast<std::size_t>(every - position.evaluations_done % every)
                                     : std::numeric_limits<std::size_t>::max();
  EvaluationBlock block;
  std::set<std::uint64_t> keys;  // of the block's fresh proposals
  std::size_t i = begin;
  for (; i < proposed.size(); ++i) {
    const std::uint64_t key = skip_seen ? context.canonical_key(proposed[i].arch) : 0;
    if (skip_seen && (seen.count(key) > 0 || keys.count(key) > 0)) continue;
    if (block.fresh.size() == room) break;
    if (skip_seen) keys.insert(key);
    block.fresh.push_back(i);
  }
  block.end = i;
  return block;
}

void SearchLoop::State::record_archs_row(const std::string& phase, const spaces::Arch& arch,
                                         const controllers::Metrics& metrics, double reward) {
  SearchContext& c = context;
  spaces::Record row("archs");
  row.set("phase", phase)
      .set("controller", controller->name())
      .set("evaluator", c.config.section("search").get_string("evaluation"))
      .set("tokens", c.archive_tokens(arch))
      .set("canonical", c.space_of(arch)->to_string(arch))
      .set("reward", reward);
  for (const auto& [name, value] : metrics) row.set(name, value);
  c.record(std::move(row));
}

void SearchLoop::State::record_evaluation(const spaces::Arch& arch, const controllers::Metrics& metrics) {
  SearchContext& c = context;
  const double reward = metrics.at(objective());
  record_archs_row("controller", arch, metrics, reward);
  if (pareto) pareto->add(c.space_of(arch)->to_string(arch), c.archive_tokens(arch), metrics);
  candidates.push_back({reward, metrics, arch});
}

void SearchLoop::State::keep_best_candidates() {
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.reward > b.reward; });
  const auto keep =
      static_cast<std::size_t>(std::max<std::int64_t>(4 * context.config.section("search").get_int("top_k"), 16));
  if (candidates.size() > keep) candidates.resize(keep);
}

std::vector<std::pair<spaces::Arch, double>> SearchLoop::State::final_phase() {
  SearchContext& c = context;
  const auto top_k = static_cast<std::size_t>(c.config.section("search").get_int("top_k"));
  std::vector<spaces::Arch> offered = controller->result();
  if (offered.empty()) {
    for (const Candidate& candidate : candidates) offered.push_back(candidate.arch);
  }
  // The first top_k distinct architectures offered, with their metrics from the search where they have them.
  std::vector<spaces::Arch> finalists;
  std::vector<const controllers::Metrics*> measured;
  std::set<std::uint64_t> keys;
  for (const spaces::Arch& arch : offered) {
    if (finalists.size() >= top_k) break;
    const std::uint64_t key = c.canonical_key(arch);
    if (!keys.insert(key).second) continue;
    const auto it = std::find_if(candidates.begin(), candidates.end(),
                                 [&](const Candidate& m) { return c.canonical_key(m.arch) == key; });
    finalists.push_back(arch);
    measured.push_back(it == candidates.end() ? nullptr : &it->metrics);
  }
  const std::vector<controllers::Metrics> final_metrics = evaluate_spread(
      c.world, finalists.size(), [&](std::size_t i) { return c.canonical_key(finalists[i]); },
      [&](std::size_t i) { return evaluator->evaluate_final(finalists[i], measured[i]); },
      [&](std::size_t i) { evaluator->pass_over(evaluator->final_draws(measured[i])); });
  std::vector<std::pair<spaces::Arch, double>> results;
  for (std::size_t i = 0; i < finalists.size(); ++i) {
    const spaces::Arch& arch = finalists[i];
    const controllers::Metrics& metrics = final_metrics[i];
    const double accuracy = metrics.count("accuracy") ? metrics.at("accuracy") : kNaN;
    record_archs_row("final", arch, metrics, metrics.count(objective()) ? metrics.at(objective()) : kNaN);
    results.emplace_back(arch, accuracy);
  }
  std::stable_sort(results.begin(), results.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return results;
}

SearchResult SearchLoop::run() {
  State& s = *state_;
  SearchContext& c = s.context;
  SearchResult result;
  result.run_dir = s.run_dir;
  result.space = c.space;
  const std::int64_t epochs = c.config.section("search").get_int("epochs");
  const std::int64_t every = c.config.section("run").get_int("checkpoint_every");
  // A strategy that finishes (PNAS after its last stage) ends the search early.
  while (c.epoch < epochs && !s.controller->finished()) {
    State::Position& position = s.position;
    if (position.phases.empty()) {
      position.phases = s.controller->phases(c.epoch);
      check_phases(s.controller->name(), *s.controller, position.phases);
    }
    bool budget_stop = false;
    while (position.phase < static_cast<std::int64_t>(position.phases.size())) {
      const controllers::Phase& phase = position.phases[static_cast<std::size_t>(position.phase)];
      if (s.budget_spent()) {
        budget_stop = true;
        break;
      }
      if (const auto* train = std::get_if<controllers::TrainWeightsPhase>(&phase)) {
        if (s.trains_weights) train_weights(c, *s.controller, *train, s.path_rng);
      } else if (std::holds_alternative<controllers::TrainArchitecturePhase>(phase)) {
        train_architecture(c, *s.controller);
      } else if (!s.evaluate_phase(std::get<controllers::EvaluatePhase>(phase))) {
        budget_stop = true;
        break;
      }
      ++position.phase;
      position.updates_done = position.evaluations_done = 0;
      if (position.phase < static_cast<std::int64_t>(position.phases.size())) {
        s.write_checkpoint_to(in_epoch_checkpoint_path(s.checkpoint_dir, c.epoch + 1, position.phase, 0));
      }
    }
    if (budget_stop) {
      c.log->info("the search's budget is spent ([search] max_trials {}, max_seconds {}): {} trials, {:.0f} s",
                  c.config.section("search").get_int("max_trials"),
                  c.config.section("search").get_double("max_seconds"), s.trials, s.seconds_spent());
      // Where the budget stopped the epoch, so a resume with a larger budget goes on from here.
      s.write_checkpoint_to(
          in_epoch_checkpoint_path(s.checkpoint_dir, c.epoch + 1, position.phase, position.evaluations_done));
      break;
    }
    const double updates = double(std::max<std::int64_t>(position.updates, 1));
    result.epoch_mean_reward.push_back(position.reward_sum / updates);
    result.epoch_mean_entropy.push_back(position.entropy_sum / updates);
    c.record(s.progress_row("epoch"));
    ++c.epoch;
    position = {};
    s.append_pending();
    if (c.epoch % every == 0 || c.epoch == epochs || s.controller->finished() || s.budget_spent()) {
      s.write_checkpoint_to(checkpoint_path(s.checkpoint_dir, c.epoch));
    }
  }
  result.top = s.final_phase();
  run_ranking_monitor(c, *s.evaluator);
  c.record(s.progress_row("finished"));
  s.append_pending();
  if (!result.top.empty()) {
    c.log->info("best architecture: {} (accuracy {:.4f})",
                c.space_of(result.top.front().first)->to_string(result.top.front().first), result.top.front().second);
  }
  return result;
}

}  // namespace experiments
