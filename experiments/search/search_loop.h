#pragma once
// SearchLoop: the search core. It runs any registered strategy as the
// phases the strategy declares (controllers/controller.h), with the
// evaluator the config names (evaluators.h), and knows no strategy by name.
//
// Before anything is written it checks the config against the strategy's
// capability record: the space is one the strategy searches, the
// evaluator measures the metrics the strategy learns from, a
// differentiable strategy's space has a supernet, the epochs reach the end
// of a strategy that finishes, the shared weights (when anything reads
// them) fit in memory, and the constraints ([search] max_params,
// max_macs) admit at least one of 1000 random candidates; a mismatch is a
// ConfigError naming both sides. Every strategy is handed the run's cost
// model (CandidateCosts) before the first phase.
//
// With [search] shared_weights_from = DIR (a fresh run), the shared weights
// start as those of DIR's newest checkpoint: one trained supernet searched
// again (SPOS's evolution under another constraint) without training it
// again. DIR's space and the [child] settings that shape the weights must
// be this run's (a ConfigError naming the difference otherwise).
//
// Each epoch asks the strategy for its phases and runs them in order:
// - train weights (weight_training.h): skipped when nothing reads the
//   shared weights (the strategy does not need them and the evaluator
//   trains its own networks);
// - evaluate: updates of proposals, each evaluated into named metrics and
//   observed by the strategy ([controller] updates_per_epoch x
//   archs_per_update unless the phase says otherwise).
// Checkpoints are written atomically at every phase boundary within an
// epoch, at the end of every [run] checkpoint_every epochs, and with [run]
// checkpoint_evaluations = N after every N-th evaluation of an evaluate
// phase (even within an update); only the newest in-epoch checkpoint is
// kept. Records (the archs, each learning step, the strategy's own tables)
// reach RUN_DIR/run.h5 before each checkpoint and at each epoch's end.
//
// At the end, the strategy's result (or, when it offers none, the best
// distinct architectures it was given metrics for) is measured once more
// by the evaluator (evaluate_final) and archived as phase "final": the top
// [search] top_k.
//
// A resumed run (resume = true) continues from the newest checkpoint in
// RUN_DIR/checkpoints/ — an epoch's end, a phase boundary, or a point
// within an evaluate phase, even within an update — and, single-threaded,
// reproduces the uninterrupted run exactly. Resuming within an update
// relies on the Controller contract that propose() depends only on the
// controller's state.

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
  std::vector<std::pair<spaces::Arch, double>> top;  // architecture, final accuracy, best first
  std::vector<double> epoch_mean_reward;             // evaluate phases, per epoch of this process
  std::vector<double> epoch_mean_entropy;
};

class SearchLoop {
 public:
  // Loads data and builds space, controller, evaluator, shared weights and
  // archive. Throws ConfigError / spaces::OptionError / DataError /
  // ArchiveError before anything is written when the inputs are bad, and
  // ArchiveError when run_dir already holds a run that resume = false
  // would overwrite.
  SearchLoop(const ExperimentConfig& config, std::string run_dir, bool resume, std::ostream& progress);
  ~SearchLoop();
  SearchResult run();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace experiments
