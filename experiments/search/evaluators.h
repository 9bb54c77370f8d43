#pragma once
// Evaluators: the role that turns a candidate architecture into named
// metrics. `[search] evaluation` names one:
//   shared     the shared weights (a supernet's for a differentiable
//              strategy) on one validation minibatch, with batch
//              statistics (ENAS's reward); final: the whole validation split
//   recalibrated  the shared weights after SPOS's batch-norm recalibration
//              (childnets::recalibrate_batch_norm on [search]
//              recalibration_batches training minibatches of [child]
//              batch_size), scored with the re-estimated statistics on
//              [search] evaluation_batches validation minibatches (0: the
//              whole split); final: the whole split. It advances the
//              training and validation batch iterators.
//   trial      a network built from scratch for the candidate, trained for
//              [search] trial_epochs of the training split (SGD of [child],
//              cosine from lr_max to lr_min), scored on the whole validation
//              split with its running statistics (a trial, as Hypernets and
//              PNAS's standalone candidates); final: the trial's metrics.
//              With [search] trial_early_stop > 0, a trial of more than one
//              epoch is scored after its first and stops there when its
//              accuracy is below SearchContext::best_accuracy (set by the
//              search loop for its own evaluations only: the best of the
//              updates before the current one, whose candidates run side by
//              side on the ranks) by more than that margin; every trial then
//              has "stopped_early" (1 or 0)
//   predictor  a performance predictor (controllers/performance_predictor.h;
//              [search] predictor_model: ridge or mlp, OFA's) fitted on what
//              another run of the same space measured ([search]
//              predictor_data = its run directory); final: the same
// Every evaluation reports "accuracy" (a fraction in [0, 1]) and "loss"
// (mean cross-entropy per image, nats) and, whatever the evaluator, the
// candidate's "params" (count of weights) and "macs" (multiply-accumulates
// of one image's forward pass; the context's CandidateCosts) and "seconds" (wall time of the evaluation). The shared
// evaluator advances the context's validation batch iterator (one batch per
// candidate), so the order of evaluations is part of a run's state; trial
// and predictor evaluators do not touch the shared weights. An
// architecture of another space, or one the space refuses, throws
// spaces::ArchError.
//
// Ranks: an evaluation runs on one rank (spread_evaluation.h). Each
// evaluator says what it draws from the context's iterators (search_draws,
// final_draws), the same whatever the candidate and its outcome, so the
// ranks that leave it to another skip as many batches (pass_over) and every
// candidate sees the batches one process would give it. A trial builds and
// trains its network under libtorch's default generator seeded from [run]
// seed, the candidate and the training iterator's position (restored after),
// and all-reduces nothing, so its result is the same on any rank; so does
// the recalibrated evaluator's recalibration (dropout in training mode).
// Each rank's batch-norm running statistics end as its own last
// recalibration left them; every reader recalibrates first, so no result
// depends on them.

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "controllers/controller.h"
#include "experiments/search/search_context.h"

namespace experiments {

// The batches one evaluation takes from the context's iterators.
struct BatchDraws {
  std::int64_t train = 0;  // from SearchContext::train_batches
  std::int64_t valid = 0;  // from SearchContext::valid_batches
};

class Evaluator {
 public:
  explicit Evaluator(SearchContext& context) : context_(context) {}
  virtual ~Evaluator() = default;

  // The metrics of one candidate.
  controllers::Metrics evaluate(const spaces::Arch& arch);
  // The final measurement of one of the search's results; `measured`: its
  // metrics from the search (nullptr: never evaluated).
  controllers::Metrics evaluate_final(const spaces::Arch& arch, const controllers::Metrics* measured);
  // A line for the run's log on what this evaluator is (empty: nothing to add).
  virtual std::string summary() const { return ""; }
  // What evaluate() draws, whatever the candidate and its outcome (a trial
  // that stops early skips the rest of its batches).
  virtual BatchDraws search_draws() const = 0;
  // What evaluate_final(arch, measured) draws.
  virtual BatchDraws final_draws(const controllers::Metrics* measured) const = 0;
  // Moves the context's iterators past an evaluation another rank makes.
  void pass_over(const BatchDraws& draws);

 protected:
  virtual controllers::Metrics measure(const spaces::Arch& arch) = 0;
  virtual controllers::Metrics measure_final(const spaces::Arch& arch, const controllers::Metrics* measured) = 0;
  // A seed for the random draws of one evaluation (a trial's initial
  // weights and dropout, recalibration's dropout), from [run] seed, the
  // candidate's canonical key and the training iterator's position: the
  // same on every rank, different for each evaluation. Non-negative as int64.
  std::uint64_t candidate_seed(const spaces::Arch& arch) const;
  SearchContext& context_;
};

struct EvaluatorInfo {
  std::string name;
  std::string summary;
  bool reads_shared_weights = false;  // needs the shared weights trained
  std::vector<std::string> metrics;   // what it measures, besides params, macs and seconds
  std::function<std::unique_ptr<Evaluator>(SearchContext&)> make;
};

// The trial evaluator, each network trained for `epochs` (fractions
// allowed) of the training split instead of [search] trial_epochs.
std::unique_ptr<Evaluator> make_trial_evaluator(SearchContext& context, double epochs);

// Every evaluator, in the order `nas_search --list` shows them.
const std::vector<EvaluatorInfo>& evaluator_catalog();
// Throws ConfigError naming the known evaluators.
const EvaluatorInfo& find_evaluator(const std::string& name);

}  // namespace experiments
