#pragma once
// The objectives of a search: which named metrics it optimises, first =
// the reward (what single-objective strategies learn from and what ranks
// the best architectures), and, with two or more, the reference point of
// the hypervolume that measures a Pareto front.
//
// [search] objectives = "accuracy,macs" sets them ("" : the strategy's own,
// its capability record); [search] hypervolume_reference = "0,4e6" sets the
// reference point, one value per objective in that metric's own units
// ("": 0 for accuracy, and 1.1 x the largest value among 100 random
// architectures of the space, drawn with a fixed seed so every run of one
// space and [child] shape gets the same point, for params, macs and, with a
// latency table, latency_ms; other metrics must be given).

#include <string>
#include <vector>

#include "controllers/controller.h"
#include "controllers/pareto.h"

namespace experiments {

class ExperimentConfig;
class CandidateCosts;
struct EvaluatorInfo;

struct SearchObjectives {
  std::vector<std::string> names;  // metric names, first = the reward
  std::vector<double> reference;   // the hypervolume's reference point, in the metrics' units (2+ objectives)

  bool multi() const { return names.size() > 1; }
  // The objectives of `metrics` in the lower-is-better orientation
  // (controllers/pareto.h); NaN for a metric it lacks.
  controllers::ObjectiveVector of(const controllers::Metrics& metrics) const;
  // The reference point in the lower-is-better orientation.
  controllers::ObjectiveVector oriented_reference() const;
};

// Resolves and checks [search] objectives and hypervolume_reference for
// `controller` (its capability record) and `evaluator` (what it measures,
// besides params, macs and seconds, which every evaluator reports, and
// latency_ms with [search] latency_table), before any work: ConfigError at
// [search] objectives for an empty name, a repeated one, one the evaluator
// does not measure, more than 3, a minimised first objective (the reward
// is maximised), or fewer than 2 for a multi-objective strategy; at
// hypervolume_reference for a value that is not a number, a count that
// differs from the objectives', or no default for a metric other than
// accuracy, params, macs and latency_ms. A default reference is left empty
// for fill_default_reference.
SearchObjectives resolve_objectives(const ExperimentConfig& config, const std::string& controller,
                                    const controllers::Capabilities& capabilities, const EvaluatorInfo& evaluator);
// Fills an empty reference of 2 or 3 objectives with the defaults above,
// from `costs` (which must then have every cost objective).
void fill_default_reference(SearchObjectives& objectives, const spaces::SearchSpace& space, CandidateCosts& costs);
// "accuracy, macs" -> {"accuracy", "macs"} (items trimmed).
std::vector<std::string> split_objectives(const std::string& text);

}  // namespace experiments
