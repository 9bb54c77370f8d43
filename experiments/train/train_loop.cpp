#include "experiments/train/train_loop.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <ostream>

#include "childnets/training.h"
#include "experiments/archive/checkpoint.h"
#include "experiments/archive/train_archive.h"
#include "experiments/config/common_schema.h"
#include "experiments/data/batch_iterator.h"
#include "experiments/data/load.h"
#include "experiments/harness/progress.h"
#include "experiments/harness/run_setup.h"
#include "experiments/harness/training_state.h"

namespace experiments {
namespace fs = std::filesystem;

childnets::NetworkOptions train_network_options(const ExperimentConfig& config) {
  const auto& network = config.section("network");
  const DatasetShape shape = dataset_shape(config.section("data").get_string("dataset"));
  return childnets::NetworkOptions()
      .input_channels(shape.channels)
      .image_size(shape.image_size)
      .num_classes(shape.num_classes)
      .channels(network.get_int("channels"))
      .cells_per_stage(network.get_int("cells_per_stage"))
      .stem_multiplier(network.get_int("stem_multiplier"))
      .factorized_reductions(false)
      .auxiliary(network.get_bool("auxiliary"))
      .dropout(network.get_double("dropout"));
}

struct TrainLoop::State {
  State(const ExperimentConfig& c, ArchChoice a, std::string dir, std::ostream& p)
      : config(c), choice(std::move(a)), run_dir(std::move(dir)), progress(p) {}

  const ExperimentConfig& config;
  ArchChoice choice;
  std::string run_dir;
  std::ostream& progress;
  std::shared_ptr<spdlog::logger> log;

  Dataset train, test;
  Normalization normalization;
  std::unique_ptr<BatchIterator> batches;
  childnets::ChildNetwork network{nullptr};
  std::unique_ptr<torch::optim::SGD> sgd;
  std::unique_ptr<TrainArchive> archive;
  std::int64_t epoch = 0;       // epochs done
  double seconds_before = 0.0;  // wall time of earlier parts of a resumed run
  double best_test_accuracy = 0.0;
  std::int64_t best_epoch = 0;

  std::int64_t steps_per_epoch() const;
  double learning_rate(double at_epoch) const;
  EpochRecord train_epoch(Clock::time_point run_start);
  childnets::EvalResult test_evaluation();
  Checkpoint checkpoint() const;
  void restore(const Checkpoint& checkpoint);
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
  s.train = load_dataset(data.get_string("dataset"), data.get_string("path"), "train");
  s.test = load_dataset(data.get_string("dataset"), data.get_string("path"), "test");
  if (data.get_int("train_limit") > 0 && data.get_int("train_limit") < s.train.size()) {
    s.train = s.train.subset(torch::arange(data.get_int("train_limit")), s.train.name);
  }
  if (data.get_int("test_limit") > 0 && data.get_int("test_limit") < s.test.size()) {
    s.test = s.test.subset(torch::arange(data.get_int("test_limit")), s.test.name);
  }
  s.normalization = Normalization::of(s.train);
  const auto augment = AugmentOptions()
                           .crop_padding(data.get_int("crop_padding"))
                           .horizontal_flip(data.get_bool("horizontal_flip"))
                           .cutout(data.get_int("cutout"));
  s.batches = std::make_unique<BatchIterator>(
      s.train, s.normalization,
      BatchIteratorOptions().batch_size(train.get_int("batch_size")).seed(seed).augment(augment));
  s.network = childnets::ChildNetwork(
      childnets::ChildNetworkImpl::standalone(s.choice.space, train_network_options(config), s.choice.arch));
  s.sgd = childnets::make_sgd(s.network->trainable_parameters(), sgd_options_of(train));

  const std::string archive_path = (fs::path(s.run_dir) / "run.h5").string();
  const std::string arch_text = s.choice.space->to_string(s.choice.arch);
  const std::string resume_from = prepare_run_directory(s.run_dir, resume);
  s.archive = resume ? TrainArchive::open(archive_path, s.choice.space->spec(), arch_text)
                     : TrainArchive::create(archive_path, s.choice.space->spec(), arch_text, config.to_toml());
  s.log = make_run_logger("train", s.run_dir);
  if (!resume_from.empty()) {
    restore_from_checkpoint(resume_from, [&](const Checkpoint& checkpoint) { s.restore(checkpoint); });
    s.log->info("resumed from {} after epoch {}", resume_from, s.epoch);
  }
  s.log->info("architecture ({}): {} [{}]", s.choice.space->spec(), arch_text, s.choice.origin);
  s.log->info("data {} ({} train / {} test), {} steps per epoch", s.train.name, s.train.size(), s.test.size(),
              s.steps_per_epoch());
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
  const auto step_options = step_options_of(train).aux_weight(config.section("network").get_double("aux_weight"));
  const spaces::ArchGraph graph = choice.space->decode(choice.arch);
  EpochRecord record;
  record.epoch = epoch + 1;
  const auto start = Clock::now();
  for (std::int64_t step = 0; step < steps; ++step) {
    const double at_epoch = double(epoch) + double(step) / double(steps);
    record.lr = learning_rate(at_epoch);
    record.drop_path = childnets::linear_drop_path(at_epoch, double(epochs), train.get_double("drop_path"));
    childnets::set_learning_rate(*sgd, record.lr);
    const Batch batch = batches->next();
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
  const childnets::EvalResult tested = test_evaluation();
  record.test_loss = tested.loss;
  record.test_accuracy = tested.accuracy();
  record.seconds = seconds_before + seconds_since(run_start);
  return record;
}

childnets::EvalResult TrainLoop::State::test_evaluation() {
  const std::int64_t batch = config.section("train").get_int("eval_batch_size");
  const torch::Tensor images = normalization.apply(test.images);
  childnets::EvalResult total;
  double loss_sum = 0.0;
  for (std::int64_t begin = 0; begin < test.size(); begin += batch) {
    const std::int64_t n = std::min(batch, test.size() - begin);
    const childnets::EvalResult part = childnets::evaluate(
        *network, images.narrow(0, begin, n), test.labels.narrow(0, begin, n), choice.space->decode(choice.arch));
    loss_sum += part.loss * double(n);
    total.correct += part.correct;
    total.count += part.count;
  }
  total.loss = total.count == 0 ? 0.0 : loss_sum / double(total.count);
  return total;
}

Checkpoint TrainLoop::State::checkpoint() const {
  Checkpoint c;
  save_module_state(c, "network", *network);
  save_sgd_state(c, "sgd", *sgd, network->trainable_parameters());
  save_iterator_position(c, "train_batches", *batches);
  save_torch_generator(c);
  c.scalars["epoch"] = double(epoch);
  c.scalars["archive_rows"] = double(archive->size());
  c.scalars["best_test_accuracy"] = best_test_accuracy;
  c.scalars["best_epoch"] = double(best_epoch);
  c.texts["space"] = choice.space->spec();
  c.texts["arch"] = choice.space->to_string(choice.arch);
  return c;
}

void TrainLoop::State::restore(const Checkpoint& c) {
  const std::string arch_text = choice.space->to_string(choice.arch);
  if (checkpoint_text(c, "space") != choice.space->spec() || checkpoint_text(c, "arch") != arch_text) {
    throw ArchiveError("checkpoint: trains architecture '" + checkpoint_text(c, "arch") + "', not '" + arch_text + "'");
  }
  load_module_state(c, "network", *network);
  load_sgd_state(c, "sgd", *sgd, network->trainable_parameters());
  load_iterator_position(c, "train_batches", *batches);
  load_torch_generator(c);
  epoch = static_cast<std::int64_t>(checkpoint_scalar(c, "epoch"));
  best_test_accuracy = checkpoint_scalar(c, "best_test_accuracy");
  best_epoch = static_cast<std::int64_t>(checkpoint_scalar(c, "best_epoch"));
  archive->truncate(static_cast<std::size_t>(checkpoint_scalar(c, "archive_rows")));
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
  std::vector<EpochRecord> records = s.archive->read();
  for (; s.epoch < epochs;) {
    const EpochRecord record = s.train_epoch(run_start);
    s.archive->append(record);
    records.push_back(record);
    ++s.epoch;
    if (record.test_accuracy > s.best_test_accuracy || s.best_epoch == 0) {
      s.best_test_accuracy = record.test_accuracy;
      s.best_epoch = record.epoch;
    }
    s.log->info("epoch {}/{}: train loss {:.4f} accuracy {:.4f}, test loss {:.4f} accuracy {:.4f}, lr {:.5f}, {:.0f} s",
                record.epoch, epochs, record.train_loss, record.train_accuracy, record.test_loss, record.test_accuracy,
                record.lr, record.seconds);
    if (s.epoch % every == 0 || s.epoch == epochs)
      write_checkpoint(checkpoint_path(checkpoints, s.epoch), s.checkpoint());
  }
  result.epochs = s.epoch;
  result.best_test_accuracy = s.best_test_accuracy;
  result.best_epoch = s.best_epoch;
  if (!records.empty()) {
    result.last_test_accuracy = records.back().test_accuracy;
    result.seconds = records.back().seconds;
  }
  return result;
}

}  // namespace experiments
