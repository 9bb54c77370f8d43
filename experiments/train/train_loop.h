#pragma once
// TrainLoop: the final training of one fixed architecture (train_arch).
// Builds the standalone network from the [network] options, trains it on
// the whole training split with the [train] schedule (SGD with momentum /
// Nesterov, weight decay, gradient clipping, cosine or cosine with warm
// restarts per step, a linear drop-path ramp, the auxiliary head's loss),
// and evaluates it on the test split (running batch-norm statistics,
// inference mode) every [train] test_every epochs and after the last (the
// evaluation does not touch the training's state or random streams, so
// test_every changes no weight). Each epoch appends a row to RUN_DIR/run.h5
// (experiments/archive/train_archive.h) and checkpoints are written
// atomically every [run] checkpoint_every epochs and at the end.
//
// A resumed run (resume = true) continues from the newest checkpoint in
// RUN_DIR/checkpoints/; single-threaded it reproduces the uninterrupted
// run's weights and records exactly (wall times aside).

#include <iosfwd>
#include <memory>
#include <string>

#include "childnets/child_network.h"
#include "experiments/config/experiment_config.h"
#include "experiments/train/arch_choice.h"

namespace experiments {

// The network options the config asks for, for the data set it names and
// the architecture `choice` ([network] form "auto": the fixed-arc form for
// a preset its authors trained so).
childnets::NetworkOptions train_network_options(const ExperimentConfig& config, const ArchChoice& choice);

// "fixed_arc" or "search": the [network] form the config gives for
// `choice`, with "auto" resolved as above. train_arch records it, so a
// resume (whose config holds the architecture's text, not a preset name)
// builds the same network.
std::string resolved_network_form(const ExperimentConfig& config, const ArchChoice& choice);

struct TrainResult {
  std::string run_dir;
  std::int64_t epochs = 0;  // trained in all, across resumes
  // Over the epochs that were tested: every [train] test_every-th and the
  // last one trained (a resume that trains nothing more may end on an
  // untested epoch). Epochs 0: none was tested.
  double best_test_accuracy = 0.0, last_test_accuracy = 0.0;
  std::int64_t best_epoch = 0, last_tested_epoch = 0;
  double seconds = 0.0;  // wall time in all, across resumes
};

class TrainLoop {
 public:
  // Loads the data and builds network, optimiser and archive. Throws
  // ConfigError / DataError / ArchiveError before anything is written when
  // the inputs are bad, and ArchiveError when run_dir already holds a run
  // that resume = false would overwrite.
  TrainLoop(const ExperimentConfig& config, ArchChoice choice, std::string run_dir, bool resume,
            std::ostream& progress);
  ~TrainLoop();
  TrainResult run();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace experiments
