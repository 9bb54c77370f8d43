#pragma once
// NSGA-II (Deb et al. 2002) over a search space's decisions, run by pagmo2
// (pagmo::nsga2): the engine of DyNAS's inner loop, where every evaluation
// is a predictor's and costs microseconds.
//
// Genes: one integer per decision of the space with more than one choice
// (pagmo refuses a gene whose bounds are equal), gene i in
// [0, num_choices_i - 1]. A gene vector becomes an architecture decision by
// decision: gene g picks the (g mod k)-th of the k values the space allows
// after the decisions before it (SearchSpace::legal_choices), so every gene
// vector is a valid architecture; an architecture's genes are its tokens'
// indices among those allowed values (to_genes), so spaces without prefix
// rules map genes to tokens one to one.
//
// Duplicates: pymoo's NSGA-II in DyNAS-T eliminates duplicate individuals
// (eliminate_duplicates=True); pagmo's keeps them, so the final population
// may repeat an architecture (DyNAS's loop measures each once).
//
// pagmo's operators on integer genes: binary tournament on (front rank,
// crowding distance), two-point crossover with probability
// `crossover_prob`, each gene redrawn uniformly with probability
// `mutation_prob`; parents and children (2N) reduced to the best N.
// DyNAS-T's pymoo NSGA-II uses SBX and polynomial mutation with rounding
// instead, so runs do not match it draw for draw.

#include <cstdint>
#include <functional>
#include <vector>

#include "controllers/pareto.h"
#include "spaces/search_space.h"

namespace controllers {

// Objective vectors (lower is better, controllers/pareto.h) of a batch of
// architectures, one per architecture, all of one size >= 2, every value
// finite (pagmo's sorting assumes it).
using BatchObjectives = std::function<std::vector<ObjectiveVector>(const std::vector<spaces::Arch>&)>;

struct Nsga2Options {
  std::int64_t population = 48;  // a multiple of 4, at least 8 (pagmo's NSGA-II needs a multiple of 4, >= 5)
  std::int64_t generations = 400;
  double crossover_prob = 0.9;  // DyNAS-T: SBX prob 0.9 (evolutionary.py:159-183)
  double mutation_prob = 0.02;  // DyNAS-T: PM prob 0.02
};

// Evolves a population that starts from `initial` (at most `population`
// of them; the rest uniformly random architectures of `space`) for
// `generations`, scoring through `objectives` in one batch per generation,
// and returns the final population's architectures (duplicates possible).
// Draws pagmo's seeds from `rng`. Throws std::invalid_argument for a
// population that is not a multiple of 4 or below 8, fewer than 1
// generation, probabilities outside [0, 1], a space with no decision of
// two or more choices, an architecture of `initial` of another space, or
// objective vectors of the wrong count or size.
std::vector<spaces::Arch> run_nsga2(const spaces::SearchSpace& space, const BatchObjectives& objectives,
                                    const std::vector<spaces::Arch>& initial, const Nsga2Options& options,
                                    spaces::Rng& rng);

// An architecture's genes and back: from_genes(space, to_genes(space, a))
// == a for every valid a. to_genes throws what SearchSpace::validate
// throws; from_genes throws std::invalid_argument for another gene count.
std::vector<double> to_genes(const spaces::SearchSpace& space, const spaces::Arch& arch);
spaces::Arch from_genes(const spaces::SearchSpace& space, const std::vector<double>& genes);

}  // namespace controllers
