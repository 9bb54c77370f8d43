#pragma once
// The weight-sharing quality monitor: how well the search's evaluator (a
// supernet's shared weights, recalibrated or not) ranks architectures
// against training them alone. After the search, [search] ranking_sample
// architectures are drawn uniformly from the space (distinct by canonical
// hash, so a space with fewer distinct architectures gives fewer; the draw
// is seeded by [run] seed, so two runs of one seed rank the same sample),
// each scored by the evaluator's final measurement (the supernet score for
// the shared and recalibrated evaluators; a trial's or a predictor's own
// score with those) and, when [search] ranking_trial_epochs > 0, by a network
// trained from scratch for that many epochs of the training split (the
// standalone score, the trial evaluator's). Each becomes a row of table
// "ranking" (tokens, canonical, supernet_accuracy, standalone_accuracy,
// params, macs); Kendall's tau-b and Spearman's rho between the two scores
// become one row of table "ranking_correlation" (sample, trial_epochs,
// kendall_tau, spearman) and a line of the log. The two accuracies are
// fractions in [0, 1] of the validation split. Nothing happens when
// ranking_sample is 0.

#include "experiments/search/evaluators.h"
#include "experiments/search/search_context.h"

namespace experiments {

// Runs the monitor on `context` with `evaluator` (the search's) and
// records into context.pending. Throws what the evaluators throw.
void run_ranking_monitor(SearchContext& context, Evaluator& evaluator);

}  // namespace experiments
