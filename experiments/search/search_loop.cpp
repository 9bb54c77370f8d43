#include "experiments/search/search_loop.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

#include "childnets/child_network.h"
#include "childnets/training.h"
#include "controllers/controller.h"
#include "experiments/archive/checkpoint.h"
#include "experiments/archive/run_archive.h"
#include "experiments/config/common_schema.h"
#include "experiments/data/batch_iterator.h"
#include "experiments/data/load.h"
#include "experiments/data/split.h"
#include "experiments/harness/progress.h"
#include "experiments/harness/run_setup.h"
#include "experiments/harness/training_state.h"
#include "spaces/registry.h"

namespace experiments {
namespace fs = std::filesystem;
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

struct SearchLoop::State {
  State(const ExperimentConfig& c, std::string dir, std::ostream& p)
      : config(c), run_dir(std::move(dir)), progress(p) {}

  const ExperimentConfig& config;
  std::string run_dir;
  std::ostream& progress;
  std::shared_ptr<spdlog::logger> log;

  spaces::SpacePtr space;
  std::unique_ptr<controllers::Controller> controller;
  Dataset train_full;
  TrainValidationSplit split;
  Normalization normalization;
  std::unique_ptr<BatchIterator> train_batches, valid_batches;
  childnets::NetworkOptions network_options;
  childnets::ParameterStore store{nullptr};
  childnets::ChildNetwork network{nullptr};
  std::unique_ptr<torch::optim::SGD> sgd;
  childnets::StepOptions step_options;
  std::unique_ptr<RunArchive> archive;
  std::int64_t epoch = 0, global_step = 0;
  std::string checkpoint_dir;
  // The current epoch's rows not yet in the archive.
  std::vector<SampledArch> records;
  std::vector<ControllerRecord> updates;
  // Where the current epoch stands; a checkpoint within an epoch saves it.
  struct EpochPosition {
    bool child_phase_done = false;
    std::int64_t updates_done = 0;      // controller updates observed this epoch
    std::int64_t evaluations_done = 0;  // candidate evaluations this epoch
    double reward_sum = 0, entropy_sum = 0;
    // Within an update: the rewards of its first proposals, and the
    // controller's state before it proposed them (propose() depends only on
    // that state, so a resumed run proposes the same again).
    std::vector<double> update_rewards;
    controllers::ControllerState before_update;
  } position;
  // Best (reward, tokens) of the controller phases so far, for the final re-evaluation.
  std::vector<std::pair<double, spaces::Arch>> candidates;
  // Spaces of architectures outside `space` (PNAS's smaller cells), by spec.
  mutable std::map<std::string, spaces::SpacePtr> other_spaces;

  // The space an architecture belongs to: `space`, or a smaller one of its kind.
  const spaces::SpacePtr& space_of(const spaces::Arch& arch) const;
  // One archive row's tokens: the architecture's, padded with -1 to the
  // space's width (a smaller cell has fewer).
  std::vector<std::int64_t> archive_tokens(const spaces::Arch& arch) const;
  SampledArch record(const std::string& phase, const spaces::Arch& arch, double reward) const;
  // Archives and logs the controller's stages finished since the last call.
  void record_stages();
  // Accuracy of `arch` on one validation minibatch: with the shared weights
  // (batch statistics), or after training a standalone network from scratch
  // for [search] standalone_epochs ([search] evaluation).
  double reward_of(const spaces::Arch& arch, const Batch& batch);

  Checkpoint checkpoint() const;
  void restore(const Checkpoint& checkpoint);
  // Appends the pending rows (records, updates) to the archive.
  void append_pending();
  // Appends the pending rows and writes `path` atomically.
  void write_checkpoint_to(const std::string& path);
  void child_phase();
  void controller_phase();
  std::vector<std::pair<spaces::Arch, double>> final_evaluation();
};

SearchLoop::SearchLoop(const ExperimentConfig& config, std::string run_dir, bool resume, std::ostream& progress)
    : state_(std::make_unique<State>(config, std::move(run_dir), progress)) {
  State& s = *state_;
  const auto& run = config.section("run");
  const auto& data = config.section("data");
  const auto& child = config.section("child");
  torch::set_num_threads(static_cast<int>(run.get_int("threads")));
  const std::uint64_t seed = static_cast<std::uint64_t>(run.get_int("seed"));
  torch::manual_seed(seed);

  // Everything that can fail on bad input happens before the run directory is touched.
  s.space = spaces::make_space(config.space_spec());
  s.controller = controllers::make_controller(config.controller_spec(), s.space, seed);
  s.train_full = load_dataset(data.get_string("dataset"), data.get_string("path"), "train");
  if (data.get_int("train_limit") > 0 && data.get_int("train_limit") < s.train_full.size()) {
    s.train_full = s.train_full.subset(torch::arange(data.get_int("train_limit")), s.train_full.name);
  }
  s.split = split_train_validation(s.train_full, data.get_int("validation_size"), seed);
  s.normalization = Normalization::of(s.split.train);
  const auto augment = AugmentOptions()
                           .crop_padding(data.get_int("crop_padding"))
                           .horizontal_flip(data.get_bool("horizontal_flip"))
                           .cutout(data.get_int("cutout"));
  s.train_batches = std::make_unique<BatchIterator>(
      s.split.train, s.normalization,
      BatchIteratorOptions().batch_size(child.get_int("batch_size")).seed(seed).augment(augment));
  s.valid_batches = std::make_unique<BatchIterator>(
      s.split.validation, s.normalization,
      BatchIteratorOptions().batch_size(config.section("controller").get_int("valid_batch_size")).seed(seed + 1));
  s.network_options = childnets::NetworkOptions()
                          .input_channels(s.train_full.channels())
                          .image_size(s.train_full.image_size())
                          .num_classes(s.train_full.num_classes)
                          .channels(child.get_int("channels"))
                          .cells_per_stage(child.get_int("cells_per_stage"))
                          .stem_multiplier(child.get_int("stem_multiplier"))
                          .factorized_reductions(child.get_bool("factorized_reductions"))
                          .dropout(child.get_double("dropout"));
  s.store = childnets::make_shared_store(s.space, s.network_options);
  s.network = childnets::ChildNetwork(s.space, s.network_options, s.store);
  s.sgd = childnets::make_sgd(s.store->parameters(), sgd_options_of(child));
  s.step_options = step_options_of(child);

  const std::string archive_path = (fs::path(s.run_dir) / "run.h5").string();
  const std::string resume_from = prepare_run_directory(s.run_dir, resume);
  s.checkpoint_dir = (fs::path(s.run_dir) / "checkpoints").string();
  if (resume) {
    s.archive = RunArchive::open(archive_path, s.space->spec(), s.space->num_tokens());
  } else {
    s.archive = RunArchive::create(archive_path, s.space->spec(), s.space->num_tokens(), config.to_toml());
  }
  s.log = make_run_logger("search", s.run_dir);
  if (!resume_from.empty()) {
    restore_from_checkpoint(resume_from, [&](const Checkpoint& checkpoint) { s.restore(checkpoint); });
    s.log->info("resumed from {} at epoch {}", resume_from, s.epoch);
  }
  s.log->info("space {}, controller {}, data {} ({} train / {} validation), store {:.1f} MB", s.space->spec(),
              config.controller_spec(), s.train_full.name, s.split.train.size(), s.split.validation.size(),
              double(s.store->bytes()) / 1e6);
  s.log->info("resolved configuration:\n{}", config.to_toml());
}

SearchLoop::~SearchLoop() = default;

Checkpoint SearchLoop::State::checkpoint() const {
  Checkpoint c;
  save_module_state(c, "store", *store);
  save_sgd_state(c, "sgd", *sgd, store->parameters());
  // Within an update the controller has proposed; its state from before is the one to resume from.
  const controllers::ControllerState controller_state =
      position.update_rewards.empty() ? controller->state() : position.before_update;
  for (const auto& [k, v] : controller_state.tensors) c.tensors["controller." + k] = v;
  for (const auto& [k, v] : controller_state.scalars) c.scalars["controller." + k] = v;
  for (const auto& [k, v] : controller_state.texts) c.texts["controller." + k] = v;
  save_iterator_position(c, "train_batches", *train_batches);
  save_iterator_position(c, "valid_batches", *valid_batches);
  save_torch_generator(c);
  c.scalars["epoch"] = double(epoch);
  c.scalars["global_step"] = double(global_step);
  const RunArchive::RowCounts rows = archive->counts();
  c.scalars["archive_archs"] = double(rows.archs);
  c.scalars["archive_updates"] = double(rows.updates);
  c.scalars["archive_stage_rows"] = double(rows.stage_rows);
  c.scalars["archive_stages"] = double(rows.stages);
  c.scalars["archive_generated"] = double(rows.generated);
  std::string candidates_text;
  for (const auto& [reward, arch] : candidates) {
    candidates_text +=
        spaces::round_trip_text(reward) + "\t" + arch.space + "\t" + spaces::join_tokens(arch.tokens) + "\n";
  }
  c.texts["candidates"] = candidates_text;
  c.scalars["position.child_phase_done"] = position.child_phase_done ? 1.0 : 0.0;
  c.scalars["position.updates_done"] = double(position.updates_done);
  c.scalars["position.evaluations_done"] = double(position.evaluations_done);
  c.scalars["position.reward_sum"] = position.reward_sum;
  c.scalars["position.entropy_sum"] = position.entropy_sum;
  std::string rewards_text;
  for (double reward : position.update_rewards) rewards_text += spaces::round_trip_text(reward) + "\n";
  c.texts["position.update_rewards"] = rewards_text;
  return c;
}

void SearchLoop::State::restore(const Checkpoint& c) {
  load_module_state(c, "store", *store);
  load_sgd_state(c, "sgd", *sgd, store->parameters());
  controllers::ControllerState controller_state;
  const std::string prefix = "controller.";
  for (const auto& [k, v] : c.tensors) {
    if (k.rfind(prefix, 0) == 0) controller_state.tensors[k.substr(prefix.size())] = v;
  }
  for (const auto& [k, v] : c.scalars) {
    if (k.rfind(prefix, 0) == 0) controller_state.scalars[k.substr(prefix.size())] = v;
  }
  for (const auto& [k, v] : c.texts) {
    if (k.rfind(prefix, 0) == 0) controller_state.texts[k.substr(prefix.size())] = v;
  }
  controller->load_state(controller_state);
  load_iterator_position(c, "train_batches", *train_batches);
  load_iterator_position(c, "valid_batches", *valid_batches);
  load_torch_generator(c);
  epoch = static_cast<std::int64_t>(checkpoint_scalar(c, "epoch"));
  global_step = static_cast<std::int64_t>(checkpoint_scalar(c, "global_step"));
  const auto count = [&](const std::string& key) { return static_cast<std::size_t>(checkpoint_scalar(c, key)); };
  archive->truncate({count("archive_archs"), count("archive_updates"), count("archive_stage_rows"),
                     count("archive_stages"), count("archive_generated")});
  candidates.clear();
  std::istringstream lines(checkpoint_text(c, "candidates"));
  std::string line;
  while (std::getline(lines, line)) {
    const auto first = line.find('\t'), second = line.find('\t', first + 1);
    if (first == std::string::npos || second == std::string::npos) {
      throw ArchiveError("checkpoint: unreadable candidate line '" + line + "'");
    }
    const std::string spec = line.substr(first + 1, second - first - 1);
    spaces::Arch arch{spec, spaces::split_tokens(line.substr(second + 1), spec)};
    space_of(arch)->validate(arch);
    candidates.emplace_back(std::stod(line.substr(0, first)), std::move(arch));
  }
  position = EpochPosition{};
  position.child_phase_done = checkpoint_scalar(c, "position.child_phase_done") != 0.0;
  position.updates_done = static_cast<std::int64_t>(checkpoint_scalar(c, "position.updates_done"));
  position.evaluations_done = static_cast<std::int64_t>(checkpoint_scalar(c, "position.evaluations_done"));
  position.reward_sum = checkpoint_scalar(c, "position.reward_sum");
  position.entropy_sum = checkpoint_scalar(c, "position.entropy_sum");
  std::istringstream rewards(checkpoint_text(c, "position.update_rewards"));
  while (std::getline(rewards, line)) position.update_rewards.push_back(std::stod(line));
}

void SearchLoop::State::append_pending() {
  if (records.empty() && updates.empty()) return;
  archive->append(records, updates);
  records.clear();
  updates.clear();
}

void SearchLoop::State::write_checkpoint_to(const std::string& path) {
  append_pending();
  write_checkpoint(path, checkpoint());
  remove_superseded_evaluation_checkpoints(checkpoint_dir, path);
}

const spaces::SpacePtr& SearchLoop::State::space_of(const spaces::Arch& arch) const {
  if (arch.space == space->spec()) return space;
  auto it = other_spaces.find(arch.space);
  if (it == other_spaces.end()) it = other_spaces.emplace(arch.space, spaces::make_space(arch.space)).first;
  return it->second;
}

std::vector<std::int64_t> SearchLoop::State::archive_tokens(const spaces::Arch& arch) const {
  std::vector<std::int64_t> tokens = arch.tokens;
  tokens.resize(space->num_tokens(), -1);
  return tokens;
}

SampledArch SearchLoop::State::record(const std::string& phase, const spaces::Arch& arch, double reward) const {
  return {epoch,  global_step, phase, controller->name(), archive_tokens(arch), space_of(arch)->to_string(arch),
          reward, reward};
}

double SearchLoop::State::reward_of(const spaces::Arch& arch, const Batch& batch) {
  const spaces::ArchGraph graph = space_of(arch)->decode(arch);
  const auto& search = config.section("search");
  if (search.get_string("evaluation") == "shared") {
    return childnets::evaluate(*network, batch.images, batch.labels, graph, true).accuracy();
  }
  const auto& child = config.section("child");
  auto candidate = childnets::ChildNetworkImpl::standalone(space_of(arch), network_options, arch);
  auto candidate_sgd = childnets::make_sgd(candidate->trainable_parameters(), sgd_options_of(child));
  const std::int64_t steps = std::max<std::int64_t>(
      1, std::llround(search.get_double("standalone_epochs") * double(train_batches->batches_per_epoch())));
  for (std::int64_t step = 0; step < steps; ++step) {
    childnets::set_learning_rate(
        *candidate_sgd,
        childnets::cosine_lr(double(step), double(steps), child.get_double("lr_max"), child.get_double("lr_min")));
    const Batch train = train_batches->next();
    childnets::train_step(*candidate, *candidate_sgd, train.images, train.labels, graph, step_options);
  }
  return childnets::evaluate(*candidate, batch.images, batch.labels, graph).accuracy();
}

void SearchLoop::State::record_stages() {
  const std::vector<controllers::StageRecord> stages = controller->completed_stages();
  std::vector<RunArchive::StageRow> rows;
  std::vector<RunArchive::StageSummary> summaries;
  std::vector<RunArchive::GeneratedRow> generated;
  for (std::size_t s = archive->counts().stages; s < stages.size(); ++s) {
    const controllers::StageRecord& stage = stages[s];
    for (std::size_t i = 0; i < stage.cells.size(); ++i) {
      rows.push_back({stage.stage, archive_tokens(stage.cells[i]), space_of(stage.cells[i])->to_string(stage.cells[i]),
                      stage.predicted_mean[i], stage.predicted_spread[i], stage.measured[i]});
    }
    summaries.push_back({stage.stage, stage.candidates, stage.surrogate_loss, stage.spearman, stage.kendall,
                         stage.reconstruction_accuracy, stage.valid_rate});
    for (const controllers::GeneratedArch& g : stage.generated) {
      const bool random = g.parent.tokens.empty();
      generated.push_back({stage.stage, archive_tokens(g.arch),
                           random ? std::vector<std::int64_t>(space->num_tokens(), -1) : archive_tokens(g.parent),
                           space_of(g.arch)->to_string(g.arch), random ? "" : space_of(g.parent)->to_string(g.parent),
                           g.step_size, g.predicted, g.predicted_improvement});
    }
    const auto best = std::max_element(stage.measured.begin(), stage.measured.end());
    log->info(
        "stage {}: {} cells evaluated ({} candidates), best {:.4f}; model loss {:.4f}; predicted vs measured on "
        "unseen cells: Spearman {:.3f}, Kendall {:.3f}",
        stage.stage, stage.cells.size(), stage.candidates, best == stage.measured.end() ? kNaN : *best,
        stage.surrogate_loss, stage.spearman, stage.kendall);
    if (!std::isnan(stage.reconstruction_accuracy)) {
      log->info(
          "stage {}: decoder reconstructs {:.4f} of tokens, {:.4f} of unmasked reconstructions valid; {} "
          "architectures generated for the next stage",
          stage.stage, stage.reconstruction_accuracy, stage.valid_rate, stage.generated.size());
    }
  }
  if (!summaries.empty()) archive->append_stages(rows, summaries, generated);
}

void SearchLoop::State::child_phase() {
  const auto& child = config.section("child");
  const std::int64_t steps =
      child.get_int("steps_per_epoch") > 0 ? child.get_int("steps_per_epoch") : train_batches->batches_per_epoch();
  const std::int64_t epochs = config.section("search").get_int("epochs");
  const auto start = Clock::now();
  double loss = 0, accuracy = 0;
  for (std::int64_t step = 0; step < steps; ++step) {
    const spaces::Arch arch = controller->sample(1).front();
    const Batch batch = train_batches->next();
    const double lr = childnets::cosine_restarts_lr(double(epoch) + double(step) / double(steps),
                                                    child.get_double("lr_max"), child.get_double("lr_min"),
                                                    child.get_double("lr_t0"), child.get_double("lr_t_mul"));
    childnets::set_learning_rate(*sgd, lr);
    const childnets::StepResult result =
        childnets::train_step(*network, *sgd, batch.images, batch.labels, space_of(arch)->decode(arch), step_options);
    loss = step == 0 ? result.loss : 0.9 * loss + 0.1 * result.loss;
    accuracy = step == 0 ? result.accuracy : 0.9 * accuracy + 0.1 * result.accuracy;
    records.push_back(record("child", arch, kNaN));
    ++global_step;
    draw_progress(progress, "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(epochs) + " child     ",
                  step + 1, steps, "loss " + fixed(loss, 3) + " acc " + fixed(accuracy, 3) + " lr " + fixed(lr, 4),
                  start);
  }
  progress << "\n";
  position.child_phase_done = true;
  log->info("epoch {} child: {} steps, loss {:.4f}, train accuracy {:.4f}", epoch + 1, steps, loss, accuracy);
}

namespace {

// The update's statistics for the progress line; those the strategy lacks (NaN) are left out.
std::string update_text(const controllers::UpdateStats& stats) {
  std::string text = "reward " + fixed(stats.mean_reward, 3);
  if (!std::isnan(stats.entropy)) text.append(" entropy ").append(fixed(stats.entropy, 2));
  if (!std::isnan(stats.baseline)) text.append(" baseline ").append(fixed(stats.baseline, 3));
  if (!std::isnan(stats.loss)) text.append(" loss ").append(fixed(stats.loss, 4));
  return text;
}

}  // namespace

void SearchLoop::State::controller_phase() {
  const auto& section = config.section("controller");
  const std::int64_t count = section.get_int("updates_per_epoch");
  const int per_update = static_cast<int>(section.get_int("archs_per_update"));
  const std::int64_t epochs = config.section("search").get_int("epochs");
  const std::int64_t checkpoint_evaluations = config.section("run").get_int("checkpoint_evaluations");
  const auto due = [&] {
    return checkpoint_evaluations > 0 && position.evaluations_done % checkpoint_evaluations == 0;
  };
  const auto checkpoint_here = [&] {
    write_checkpoint_to(evaluation_checkpoint_path(checkpoint_dir, epoch + 1, position.evaluations_done));
  };
  const auto start = Clock::now();
  const std::int64_t first = position.updates_done;
  while (position.updates_done < count) {
    // A resumed run re-proposes from the saved state and skips what was scored.
    const std::vector<double> scored = std::exchange(position.update_rewards, {});
    // The state to resume from if a checkpoint falls inside this update.
    if (checkpoint_evaluations > 0 &&
        position.evaluations_done % checkpoint_evaluations + per_update > checkpoint_evaluations) {
      position.before_update = controller->state();
    }
    const auto proposals = controller->propose(per_update);
    if (proposals.empty()) break;  // a finished (or waiting) strategy
    if (scored.size() >= proposals.size()) {
      throw ArchiveError("checkpoint: " + std::to_string(scored.size()) + " rewards saved for an update of " +
                         std::to_string(proposals.size()) + " proposals");
    }
    std::vector<controllers::Feedback> feedback;
    for (std::size_t i = 0; i < proposals.size(); ++i) {
      const controllers::Proposal& p = proposals[i];
      if (i < scored.size()) {
        feedback.push_back({p.id, scored[i]});
        continue;
      }
      const Batch batch = valid_batches->next();
      const double reward = reward_of(p.arch, batch);
      feedback.push_back({p.id, reward});
      records.push_back(record("controller", p.arch, reward));
      candidates.emplace_back(reward, p.arch);
      ++position.evaluations_done;
      if (due() && i + 1 < proposals.size()) {  // the update's last one waits until it is observed
        for (const auto& f : feedback) position.update_rewards.push_back(f.reward);
        checkpoint_here();
        position.update_rewards.clear();
      }
    }
    const controllers::UpdateStats stats = controller->observe(feedback);
    updates.push_back({epoch, global_step, stats.loss, stats.mean_reward, stats.baseline, stats.entropy});
    position.reward_sum += stats.mean_reward;
    position.entropy_sum += stats.entropy;
    ++position.updates_done;
    draw_progress(progress, "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(epochs) + " controller",
                  position.updates_done, count, update_text(stats), start, first);
    if (due()) checkpoint_here();
  }
  if (count > 0) progress << "\n";
  // Keep the candidate list short: the best few per space.
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  const std::size_t keep =
      static_cast<std::size_t>(std::max<std::int64_t>(4 * config.section("search").get_int("top_k"), 16));
  std::map<std::string, std::size_t> kept;  // per space, so a stage's cells never crowd out another's
  std::erase_if(candidates, [&](const auto& c) { return ++kept[c.second.space] > keep; });
  const double done = double(std::max<std::int64_t>(position.updates_done, 1));
  log->info("epoch {} controller: {} updates, mean reward {:.4f}{}", epoch + 1, position.updates_done,
            position.reward_sum / done,
            std::isnan(position.entropy_sum) ? "" : ", entropy " + fixed(position.entropy_sum / done, 3));
}

std::vector<std::pair<spaces::Arch, double>> SearchLoop::State::final_evaluation() {
  const std::int64_t top_k = config.section("search").get_int("top_k");
  std::vector<spaces::Arch> distinct;
  std::set<std::uint64_t> seen;
  // The result is an architecture of the configured space: smaller cells
  // (PNAS's early stages) only when it has none.
  const bool any_full =
      std::any_of(candidates.begin(), candidates.end(), [&](const auto& c) { return c.second.space == space->spec(); });
  for (const auto& [reward, arch] : candidates) {
    if (any_full && arch.space != space->spec()) continue;
    if (seen.insert(spaces::hash_mix(spaces::hash_string(arch.space), space_of(arch)->canonical_hash(arch))).second) {
      distinct.push_back(arch);
    }
    if (static_cast<std::int64_t>(distinct.size()) >= top_k) break;
  }
  std::vector<std::pair<spaces::Arch, double>> results;
  const std::int64_t batch = config.section("controller").get_int("valid_batch_size");
  const torch::Tensor images = normalization.apply(split.validation.images);
  for (const spaces::Arch& arch : distinct) {
    std::int64_t correct = 0;
    for (std::int64_t begin = 0; begin < split.validation.size(); begin += batch) {
      const std::int64_t n = std::min(batch, split.validation.size() - begin);
      correct += childnets::evaluate(*network, images.narrow(0, begin, n), split.validation.labels.narrow(0, begin, n),
                                     space_of(arch)->decode(arch), true)
                     .correct;
    }
    const double accuracy = double(correct) / double(split.validation.size());
    results.emplace_back(arch, accuracy);
    records.push_back(record("final", arch, accuracy));
  }
  std::sort(results.begin(), results.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return results;
}

SearchResult SearchLoop::run() {
  State& s = *state_;
  SearchResult result;
  result.run_dir = s.run_dir;
  result.space = s.space;
  const std::int64_t epochs = s.config.section("search").get_int("epochs");
  const std::int64_t every = s.config.section("run").get_int("checkpoint_every");
  // A strategy that finishes (PNAS after its last stage) ends the search early.
  for (; s.epoch < epochs && !s.controller->finished();) {
    if (!s.position.child_phase_done) s.child_phase();
    s.controller_phase();
    const double updates = double(std::max<std::int64_t>(s.position.updates_done, 1));
    result.epoch_mean_reward.push_back(s.position.reward_sum / updates);
    result.epoch_mean_entropy.push_back(s.position.entropy_sum / updates);
    s.append_pending();
    s.record_stages();
    ++s.epoch;
    s.position = {};
    if (s.epoch % every == 0 || s.epoch == epochs) s.write_checkpoint_to(checkpoint_path(s.checkpoint_dir, s.epoch));
  }
  result.top = s.final_evaluation();
  s.append_pending();
  if (!result.top.empty()) {
    s.log->info("best architecture: {} (validation accuracy {:.4f})",
                s.space_of(result.top.front().first)->to_string(result.top.front().first), result.top.front().second);
  }
  return result;
}

}  // namespace experiments
