#include "experiments/train/train_loop.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <limits>
#include <optional>
#include <ostream>

#include "childnets/training.h"
#include "experiments/archive/checkpoint.h"
#include "experiments/archive/train_archive.h"
#include "experiments/config/common_schema.h"
#include "experiments/config/setting_checks.h"
#include "experiments/data/batch_iterator.h"
#include "experiments/data/load.h"
#include "experiments/distributed/data_parallel.h"
#include "experiments/harness/progress.h"
#include "experiments/harness/resume_changes.h"
#include "experiments/harness/run_setup.h"
#include "experiments/harness/training_state.h"

namespace experiments {
namespace fs = std::filesystem;

std::string resolved_network_form(const ExperimentConfig& config, const ArchChoice& choice) {
  const std::string form = config.section("network").get_string("form");
  if (form != "auto") return form;
  return choice.fixed_arc_form ? "fixed_arc" : "search";
}

childnets::NetworkOptions train_network_options(const ExperimentConfig& config, const ArchChoice& choice) {
  const auto& network = config.section("network");
  const DatasetShape shape = dataset_shape(data_source_of(config.section("data")));
  return childnets::NetworkOptions()
      .input_channels(shape.channels)
      .image_size(shape.image_size)
      .num_classes(shape.num_classes)
      .channels(network.get_int("channels"))
      .cells_per_stage(network.get_int("cells_per_stage"))
      .stem_multiplier(network.get_int("stem_multiplier"))
      .factorized_reductions(false)
      .fixed_arc_form(resolved_network_form(config, choice) == "fixed_arc")
      .auxiliary(network.get_bool("auxiliary"))
      .dropout(network.get_double("dropout"));
}

struct TrainLoop::State {
  State(const ExperimentConfig& c, ArchChoice a, std::string dir, std::ostream& p)
      : config(c), choice(std::move(a)), run_dir(std::move(dir)), progress(p), world(process_world()) {}

  const ExperimentConfig& config;
  ArchChoice choice;
  std::string run_dir;
  std::ostream& progress;
  // The ranks training together (distributed/data_parallel.h); rank 0 alone writes the run's files.
  const World& world;
  std::shared_ptr<spdlog::logger> log;

  Dataset train, test;
  Normalization normalization;
  std::unique_ptr<BatchIterator> batches;
  childnets::ChildNetwork network{nullptr};
  std::unique_ptr<torch::optim::SGD> sgd;
  std::unique_ptr<TrainArchive> archive;  // rank 0's only
  std::int64_t epoch = 0;                 // epochs done
  double seconds_before = 0.0;            // wall time of earlier parts of a resumed run
  double best_test_accuracy = 0.0;
  std::int64_t best_epoch = 0;

  std::int64_t steps_per_epoch() const;
  double learning_rate(double at_epoch) const;
  EpochRecord train_epoch(Clock::time_point run_start);
  childnets::EvalResult test_evaluation();
  // Every field a checkpoint holds, saved or loaded.
  void state_fields(StateFields& fields);
};

TrainLoop::TrainLoop(const ExperimentConfig& config, ArchChoice choice, std::string run_dir, bool resume,
                     std::ostream& progress)
    : state_(std::make_unique<State>(config, std::move(choice), std::move(run_dir), progress)) {
  State& s = *state_;
  const auto& run = config.section("run");
  const auto& data = config.section("data");
  const auto& train = config.section("train");
  torch::set_num_threads(static_cast<int>(run.get_int("threads")));
  const std::uint64_t seed = static_cast<std::uint64_t>(run.get_int("seed"));
  torch::manual_seed(seed);

  // Everything that can fail on bad input happens before the run directory is touched.
  // A resume may extend the training or change how it runs, not what it
  // trains or on what; settings that shape the network fail the checkpoint's load.
  std::optional<ResumeChanges> resume_changes;
  if (resume) {
    resume_changes.emplace(s.run_dir, config,
                           std::vector<std::string>{"run.seed", "data.dataset", "data.path", "data.label",
                                                    "data.ignore_columns", "data.test_fraction", "data.split_seed",
                                                    "data.train_limit", "data.test_limit", "arch.*"});
  }
  s.train = load_dataset(data_source_of(data), "train");
  s.test = load_dataset(data_source_of(data), "test");
  if (data.get_int("train_limit") > 0 && data.get_int("train_limit") < s.train.size()) {
    s.train = s.train.subset(torch::arange(data.get_int("train_limit")), s.train.name);
  }
  if (data.get_int("test_limit") > 0 && data.get_int("test_limit") < s.test.size()) {
    s.test = s.test.subset(torch::arange(data.get_int("test_limit")), s.test.name);
  }
  check_image_settings(config, s.train);
  check_sgd_settings(config, "train");
  check_batch_fits(config, "train", "batch_size", s.train.size(), "training");
  check_batch_splits(config, "train", "batch_size", s.world.size());
  s.normalization = Normalization::of(s.train);
  const auto augment = AugmentOptions()
                           .crop_padding(data.get_int("crop_padding"))
                           .horizontal_flip(data.get_bool("horizontal_flip"))
                           .cutout(data.get_int("cutout"));
  s.batches = std::make_unique<BatchIterator>(
      s.train, s.normalization,
      BatchIteratorOptions().batch_size(train.get_int("batch_size")).seed(seed).augment(augment));
  s.network = childnets::ChildNetwork(
      childnets::ChildNetworkImpl::standalone(s.choice.space, train_network_options(config, s.choice), s.choice.arch));
  s.sgd = childnets::make_sgd(s.network->trainable_parameters(), sgd_options_of(train));

  const std::string archive_path = (fs::path(s.run_dir) / "run.h5").string();
  const std::string arch_text = s.choice.space->to_string(s.choice.arch);
  const bool writes = s.world.writes();
  const std::string resume_from = writes || resume ? prepare_run_directory(s.run_dir, resume, config.to_toml()) : "";
  if (writes) {
    s.archive = resume ? TrainArchive::open(archive_path, s.choice.space->spec(), arch_text)
                       : TrainArchive::create(archive_path, s.choice.space->spec(), arch_text, config.to_toml());
  }
  s.world.barrier("rank 0 preparing the run directory");
  s.log = make_rank_logger("train", s.run_dir, s.world);
  warn_if_oversubscribed(*s.log, run.get_int("threads"), s.world);
  if (!resume_from.empty()) {
    const std::string changed = resume_changes->restore(
        resume_from, [&](StateFields& fields) { s.state_fields(fields); }, [&] { return s.epoch; },
        [&](const std::string& text) { s.archive->set_config(text); }, writes);
    s.log->info("resumed from {} after epoch {}{}", resume_from, s.epoch, changed);
  }
  s.log->info("architecture ({}): {} [{}]", s.choice.space->spec(), arch_text, s.choice.origin);
  s.log->info("data {} ({} train / {} test), {} steps per epoch", s.train.name, s.train.size(), s.test.size(),
              s.steps_per_epoch());
  if (s.world.size() > 1) {
    s.log->info("data-parallel over {} ranks: each trains on {} of every batch of {}", s.world.size(),
                train.get_int("batch_size") / s.world.size(), train.get_int("batch_size"));
  }
}

TrainLoop::~TrainLoop() = default;

std::int64_t TrainLoop::State::steps_per_epoch() const {
  const std::int64_t limit = config.section("train").get_int("steps_per_epoch");
  return limit > 0 ? limit : batches->batches_per_epoch();
}

double TrainLoop::State::learning_rate(double at_epoch) const {
  const auto& train = config.section("train");
  if (train.get_string("lr_schedule") == "cosine_restarts") {
    return childnets::cosine_restarts_lr(at_epoch, train.get_double("lr_max"), train.get_double("lr_min"),
                                         train.get_double("lr_t0"), train.get_double("lr_t_mul"));
  }
  return childnets::cosine_lr(at_epoch, double(train.get_int("epochs")), train.get_double("lr_max"),
                              train.get_double("lr_min"));
}

EpochRecord TrainLoop::State::train_epoch(Clock::time_point run_start) {
  const auto& train = config.section("train");
  const std::int64_t steps = steps_per_epoch(), epochs = train.get_int("epochs");
  const auto step_options = step_options_of(train)
                                .aux_weight(config.section("network").get_double("aux_weight"))
                                .reduce_gradients(averaged_gradients(world));
  const spaces::ArchGraph graph = choice.space->decode(choice.arch);
  EpochRecord record;
  record.epoch = epoch + 1;
  const auto start = Clock::now();
  for (std::int64_t step = 0; step < steps; ++step) {
    const double at_epoch = double(epoch) + double(step) / double(steps);
    record.lr = learning_rate(at_epoch);
    record.drop_path = childnets::linear_drop_path(at_epoch, double(epochs), train.get_double("drop_path"));
    childnets::set_learning_rate(*sgd, record.lr);
    const Batch batch = shard_of(batches->next(), world);
    const childnets::StepResult result =
        childnets::train_step(*network, *sgd, batch.images, batch.labels, graph,
                              childnets::StepOptions(step_options).drop_path(record.drop_path));
    record.train_loss += result.loss / double(steps);
    record.train_accuracy += result.accuracy / double(steps);
    draw_progress(progress, "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(epochs), step + 1, steps,
                  "loss " + fixed(record.train_loss * double(steps) / double(step + 1), 3) + " acc " +
                      fixed(record.train_accuracy * double(steps) / double(step + 1), 3) + " lr " + fixed(record.lr, 4),
                  start);
  }
  progress << "\n";
  const std::vector<double> train_means = averaged({record.train_loss, record.train_accuracy}, world);
  record.train_loss = train_means[0];
  record.train_accuracy = train_means[1];
  const std::int64_t test_every = train.get_int("test_every");
  if (record.epoch == epochs || (test_every > 0 && record.epoch % test_every == 0)) {
    const childnets::EvalResult tested = test_evaluation();
    record.test_loss = tested.loss;
    record.test_accuracy = tested.accuracy();
  } else {
    record.test_loss = record.test_accuracy = std::numeric_limits<double>::quiet_NaN();
  }
  record.seconds = seconds_before + seconds_since(run_start);
  return record;
}

childnets::EvalResult TrainLoop::State::test_evaluation() {
  // Each rank tests its share of the test set; the counts are summed.
  const auto [begin, end] = share_of(test.size(), world);
  const childnets::EvalResult mine = childnets::evaluate_in_batches(
      *network, choice.space->decode(choice.arch), normalization.apply(test.images.narrow(0, begin, end - begin)),
      test.labels.narrow(0, begin, end - begin), config.section("train").get_int("eval_batch_size"));
  return summed_over_ranks(mine, world);
}

void TrainLoop::State::state_fields(StateFields& f) {
  const std::string space = choice.space->spec(), arch_text = choice.space->to_string(choice.arch);
  std::string saved_space = space, saved_arch = arch_text;
  f.text("space", saved_space);
  f.text("arch", saved_arch);
  if (saved_space != space || saved_arch != arch_text) {
    f.fail("trains architecture '" + saved_arch + "', not '" + arch_text + "'");
  }
  controllers::bind_module(f, "network", *network);
  controllers::bind_sgd(f, "sgd", *sgd, network->trainable_parameters());
  bind_iterator(f, "train_batches", *batches);
  bind_torch_generator(f);
  f.integer("epoch", epoch);
  bind_world_size(f, world);
  std::int64_t rows = archive ? static_cast<std::int64_t>(archive->size()) : 0;  // only rank 0 saves
  f.integer("archive_rows", rows);
  f.scalar("best_test_accuracy", best_test_accuracy);
  f.integer("best_epoch", best_epoch);
  if (f.saving() || !archive) return;
  archive->truncate(static_cast<std::size_t>(rows));
  const std::vector<EpochRecord> records = archive->read();
  seconds_before = records.empty() ? 0.0 : records.back().seconds;
}

TrainResult TrainLoop::run() {
  State& s = *state_;
  const std::int64_t epochs = s.config.section("train").get_int("epochs");
  const std::int64_t every = s.config.section("run").get_int("checkpoint_every");
  const std::string checkpoints = (fs::path(s.run_dir) / "checkpoints").string();
  const auto run_start = Clock::now();
  TrainResult result;
  result.run_dir = s.run_dir;
  std::vector<EpochRecord> records = s.archive ? s.archive->read() : std::vector<EpochRecord>{};
  for (; s.epoch < epochs;) {
    const EpochRecord record = s.train_epoch(run_start);
    if (s.archive) s.archive->append(record);
    records.push_back(record);
    ++s.epoch;
    if (record.tested() && (record.test_accuracy > s.best_test_accuracy || s.best_epoch == 0)) {
      s.best_test_accuracy = record.test_accuracy;
      s.best_epoch = record.epoch;
    }
    const std::string tested =
        record.tested() ? fmt::format("test loss {:.4f} accuracy {:.4f}", record.test_loss, record.test_accuracy)
                        : std::string("not tested");
    s.log->info("epoch {}/{}: train loss {:.4f} accuracy {:.4f}, {}, lr {:.5f}, {:.0f} s", record.epoch, epochs,
                record.train_loss, record.train_accuracy, tested, record.lr, record.seconds);
    if (s.world.writes() && (s.epoch % every == 0 || s.epoch == epochs)) {
      const std::string path = checkpoint_path(checkpoints, s.epoch);
      write_checkpoint_of(path, "checkpoint", [&](StateFields& fields) { s.state_fields(fields); });
      prune_checkpoints(checkpoints, path, s.config.section("run").get_int("keep_checkpoints"));
    }
  }
  result.epochs = s.epoch;
  result.best_test_accuracy = s.best_test_accuracy;
  result.best_epoch = s.best_epoch;
  if (!records.empty()) result.seconds = records.back().seconds;
  if (const EpochRecord* tested = last_tested(records)) {
    result.last_test_accuracy = tested->test_accuracy;
    result.last_tested_epoch = tested->epoch;
  }
  return result;
}

}  // namespace experiments
