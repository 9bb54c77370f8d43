#pragma once
// SearchLoop: the weight-sharing search of ENAS with any registered
// controller. Each epoch:
//   1. child phase: for every training minibatch the controller samples an
//      architecture, and one SGD step (cosine with warm restarts, gradient
//      clipping) trains the shared store on that path;
//   2. controller phase: `updates_per_epoch` times, the controller proposes
//      `archs_per_update` architectures, each is scored on one validation
//      minibatch under inference mode (accuracy = reward), and the
//      controller learns from the rewards;
//   3. the epoch's architectures and controller statistics are appended to
//      RUN_DIR/run.h5 and a checkpoint is written atomically (every
//      [run] checkpoint_every epochs). With [run] checkpoint_evaluations = N
//      a checkpoint is also written after every N-th candidate evaluation
//      of a controller phase, and only the newest such in-epoch checkpoint
//      is kept.
// At the end the top_k distinct architectures by reward are re-evaluated on
// the whole validation split.
//
// A resumed run (resume = true) continues from the newest checkpoint in
// RUN_DIR/checkpoints/ (an epoch's end, or a point within its controller
// phase, even within an update) and, single-threaded, samples exactly the
// architectures and rewards the uninterrupted run would have. Resuming
// within an update relies on the Controller contract that propose()
// depends only on the controller's state.

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "experiments/config/experiment_config.h"
#include "spaces/search_space.h"

namespace experiments {

struct SearchResult {
  std::string run_dir;
  spaces::SpacePtr space;                            // the space searched, to print `top` with
  std::vector<std::pair<spaces::Arch, double>> top;  // architecture, whole-validation accuracy, best first
  std::vector<double> epoch_mean_reward;             // controller phase, per epoch of this process
  std::vector<double> epoch_mean_entropy;
};

class SearchLoop {
 public:
  // Loads data and builds space, controller, store and archive. Throws
  // ConfigError / DataError / ArchiveError before anything is written when
  // the inputs are bad, and ArchiveError when run_dir already holds a run
  // that resume = false would overwrite.
  SearchLoop(const ExperimentConfig& config, std::string run_dir, bool resume, std::ostream& progress);
  ~SearchLoop();
  SearchResult run();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace experiments
