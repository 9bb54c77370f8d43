#pragma once
// SearchContext: what the phases and evaluators of one search share — the
// configuration, the space, the data and its iterators, the shared weights
// (a store with its network and SGD, or a supernet for a differentiable
// strategy; none when nothing reads shared weights), the run's place among
// ranks and its device, the log and the progress stream. The search loop
// builds it; phases and evaluators only read it and advance its iterators.
//
// Ranks and device: a search runs on `world`'s ranks (world size 1 without
// a launcher; distributed/world.h), every rank holding the same shared
// weights and controller and training on its share of each batch
// (distributed/data_parallel.h); rank 0 alone writes the run's files.
// Batches and the shared weights go to `placement.device` (the CPU today).

#include <spdlog/logger.h>
#include <torch/torch.h>

#include <iosfwd>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "childnets/child_network.h"
#include "childnets/training.h"
#include "controllers/controller.h"
#include "experiments/config/experiment_config.h"
#include "experiments/data/batch_iterator.h"
#include "experiments/data/split.h"
#include "experiments/distributed/world.h"
#include "experiments/search/candidate_costs.h"
#include "experiments/search/uniform_paths.h"
#include "spaces/search_space.h"

namespace experiments {

// The device the process computes on: the CPU today.
struct Placement {
  torch::Device device{torch::kCPU};
};

struct SearchContext {
  SearchContext(const ExperimentConfig& c, std::ostream& p, const World& w) : config(c), progress(p), world(w) {}

  const ExperimentConfig& config;
  std::ostream& progress;
  const World& world;
  std::shared_ptr<spdlog::logger> log;
  Placement placement;

  spaces::SpacePtr space;
  Dataset train_full;
  TrainValidationSplit split;
  Normalization normalization;
  std::unique_ptr<BatchIterator> train_batches, valid_batches;
  torch::Tensor validation_images;  // the whole validation split, normalised, on the device

  childnets::NetworkOptions network_options;    // of the search's networks (shared and trial)
  std::unique_ptr<CandidateCosts> costs;        // candidates' params and macs, and the run's constraints
  std::unique_ptr<UniformPaths> uniform_paths;  // the weight phase's uniform paths (MAC bins when asked)
  // The shared weights: null when nothing in the search reads them.
  childnets::ParameterStore store{nullptr};
  childnets::ChildNetwork network{nullptr};  // the shared network or the supernet
  std::unique_ptr<torch::optim::SGD> sgd;
  childnets::StepOptions step_options;

  // Where the search stands: the epoch (0-based) and the weight steps so far.
  std::int64_t epoch = 0, global_step = 0;
  // The best accuracy measured by the search's evaluations before the
  // current update (NaN: none yet); the loop sets it while it evaluates an
  // update, for trial early stopping.
  double best_accuracy = std::numeric_limits<double>::quiet_NaN();
  // Records not yet in the archive (the loop appends them before every checkpoint).
  std::vector<spaces::Record> pending;
  // Adds `record` to `pending`, its first fields the current epoch and step.
  void record(spaces::Record record);
  // Takes the controller's report: its records into `pending`, its lines into the log.
  void take_report(controllers::Controller& controller);

  // The next batch of an iterator, on the run's device: images [batch,
  // channels, size, size] float (normalised), labels [batch]
  // int64.
  Batch next_batch(BatchIterator& iterator) const;
  // This rank's share of the iterator's next batch (every rank draws the
  // whole batch, so iterators stay in step): the batches that train
  // weights or architecture parameters, whose gradients are then averaged.
  Batch next_share(BatchIterator& iterator) const;
  // The space an architecture belongs to: `space`, or a smaller one of its
  // kind (PNAS's early stages), built once. Throws spaces::OptionError for
  // a space text the registry cannot build.
  const spaces::SpacePtr& space_of(const spaces::Arch& arch) const;
  // The architecture's tokens padded with -1 to the space's width (a smaller cell has fewer).
  std::vector<std::int64_t> archive_tokens(const spaces::Arch& arch) const;
  // A key equal for architectures that compute the same function in the same space.
  std::uint64_t canonical_key(const spaces::Arch& arch) const;

 private:
  mutable std::map<std::string, spaces::SpacePtr> other_spaces_;
};

}  // namespace experiments
