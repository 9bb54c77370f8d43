#pragma once
// Pareto fronts and hypervolume of objective vectors, for multi-objective
// strategies (DyNAS's NSGA-II loop) and the core's record of every
// multi-objective search. The sorting and the hypervolume are pagmo2's
// (pagmo::fast_non_dominated_sorting, pagmo::hypervolume); this header
// fixes the conventions around them.
//
// Convention: an objective vector is "lower is better" in every entry
// (minimisation, as pagmo and pymoo work); a maximised metric enters
// negated (accuracy 0.91 is -0.91). objective_value() and metric_value()
// convert.

#include <cstddef>
#include <string>
#include <vector>

namespace controllers {

using ObjectiveVector = std::vector<double>;

// Whether a search maximises `metric`: "accuracy" (a fraction). Every other
// metric is a cost and minimised: "params" (count), "macs"
// (multiply-accumulates per image), "latency_ms" (milliseconds), "loss",
// "seconds".
bool maximised(const std::string& metric);
// `value` of `metric` in the lower-is-better orientation, and back.
double objective_value(const std::string& metric, double value);
double metric_value(const std::string& metric, double objective);

// Whether `a` Pareto-dominates `b`: no entry worse, at least one better.
// Throws std::invalid_argument for vectors of different sizes.
bool dominates(const ObjectiveVector& a, const ObjectiveVector& b);

// The indices of the points no other point dominates (the first front), in
// ascending order; equal points are all kept. Throws std::invalid_argument
// when the points differ in size or have fewer than 2 objectives, or an
// entry is not finite.
std::vector<std::size_t> non_dominated(const std::vector<ObjectiveVector>& points);

// The hypervolume the points dominate within the box bounded by
// `reference` (its units: the product of the objectives' units). Points
// that do not lie strictly below the reference in every objective add
// nothing; no such point: 0. Throws std::invalid_argument for sizes that
// differ from the reference's, fewer than 2 objectives, or an entry that is
// not finite.
double hypervolume(const std::vector<ObjectiveVector>& points, const ObjectiveVector& reference);

}  // namespace controllers
