#include "controllers/nsga2.h"

#include <pagmo/algorithms/nsga2.hpp>
#include <pagmo/batch_evaluators/default_bfe.hpp>
#include <pagmo/bfe.hpp>
#include <pagmo/population.hpp>
#include <pagmo/problem.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace controllers {
namespace {

// Which decisions are genes (more than one choice), and back and forth between genes and architectures.
struct GeneMap {
  const spaces::SearchSpace* space = nullptr;
  std::vector<std::size_t> gene_decisions;  // decision index of each gene
  std::vector<std::int64_t> choices;        // num_choices of each decision

  explicit GeneMap(const spaces::SearchSpace& s) : space(&s) {
    const auto& decisions = s.decisions();
    for (std::size_t i = 0; i < decisions.size(); ++i) {
      choices.push_back(decisions[i].num_choices);
      if (decisions[i].num_choices > 1) gene_decisions.push_back(i);
    }
  }

  // The values the space allows for decision i after `tokens`' first i.
  std::vector<std::int64_t> allowed(const std::vector<std::int64_t>& tokens, std::size_t i) const {
    const std::vector<bool> legal = space->legal_choices(std::span<const std::int64_t>(tokens.data(), i));
    std::vector<std::int64_t> values;
    for (std::size_t v = 0; v < legal.size(); ++v) {
      if (legal[v]) values.push_back(static_cast<std::int64_t>(v));
    }
    if (values.empty()) throw std::logic_error("run_nsga2: a decision with no legal choice");
    return values;
  }

  // Gene g of a decision picks its (g mod |allowed|)-th allowed value.
  spaces::Arch arch(const pagmo::vector_double& genes) const {
    std::vector<std::int64_t> tokens(choices.size(), 0);
    std::size_t gene = 0;
    for (std::size_t i = 0; i < choices.size(); ++i) {
      const auto wanted = gene < gene_decisions.size() && gene_decisions[gene] == i
                              ? static_cast<std::int64_t>(genes.at(gene++))
                              : std::int64_t{0};
      const std::vector<std::int64_t> values = allowed(tokens, i);
      tokens[i] = values[static_cast<std::size_t>(wanted) % values.size()];
    }
    return space->make_arch(std::move(tokens));
  }

  // The inverse for a valid architecture: each gene the index of its token among the allowed values.
  pagmo::vector_double genes(const spaces::Arch& arch) const {
    pagmo::vector_double x;
    for (std::size_t d : gene_decisions) {
      const std::vector<std::int64_t> values = allowed(arch.tokens, d);
      const auto it = std::find(values.begin(), values.end(), arch.tokens.at(d));
      if (it == values.end()) throw std::invalid_argument("run_nsga2: an architecture with an illegal token");
      x.push_back(static_cast<double>(it - values.begin()));
    }
    return x;
  }
};

// The pagmo problem: integer genes only, objectives from a batch function.
struct SpaceProblem {
  const GeneMap* map = nullptr;
  const BatchObjectives* objectives = nullptr;
  std::size_t count = 2;  // objectives per architecture

  pagmo::vector_double fitness(const pagmo::vector_double& x) const { return batch_fitness(x); }
  pagmo::vector_double batch_fitness(const pagmo::vector_double& xs) const {
    const std::size_t n = map->gene_decisions.size();
    std::vector<spaces::Arch> archs;
    for (std::size_t i = 0; i + n <= xs.size(); i += n) {
      archs.push_back(map->arch(pagmo::vector_double(xs.begin() + long(i), xs.begin() + long(i + n))));
    }
    const std::vector<ObjectiveVector> values = (*objectives)(archs);
    if (values.size() != archs.size()) throw std::invalid_argument("run_nsga2: objective vectors for another count");
    pagmo::vector_double out;
    for (const ObjectiveVector& v : values) {
      if (v.size() != count) throw std::invalid_argument("run_nsga2: an objective vector of another size");
      out.insert(out.end(), v.begin(), v.end());
    }
    return out;
  }
  bool has_batch_fitness() const { return true; }
  std::pair<pagmo::vector_double, pagmo::vector_double> get_bounds() const {
    pagmo::vector_double lower, upper;
    for (std::size_t d : map->gene_decisions) {
      lower.push_back(0.0);
      upper.push_back(static_cast<double>(map->choices[d] - 1));
    }
    return {lower, upper};
  }
  pagmo::vector_double::size_type get_nobj() const { return count; }
  pagmo::vector_double::size_type get_nix() const { return map->gene_decisions.size(); }
  pagmo::thread_safety get_thread_safety() const { return pagmo::thread_safety::none; }
};

}  // namespace

std::vector<spaces::Arch> run_nsga2(const spaces::SearchSpace& space, const BatchObjectives& objectives,
                                    const std::vector<spaces::Arch>& initial, const Nsga2Options& options,
                                    spaces::Rng& rng) {
  if (options.population < 8 || options.population % 4 != 0) {
    throw std::invalid_argument("run_nsga2: population " + std::to_string(options.population) +
                                " (pagmo's NSGA-II needs a multiple of 4; at least 8)");
  }
  if (options.generations < 1) throw std::invalid_argument("run_nsga2: generations must be at least 1");
  for (double p : {options.crossover_prob, options.mutation_prob}) {
    if (!(p >= 0.0 && p <= 1.0)) throw std::invalid_argument("run_nsga2: probabilities must be in [0, 1]");
  }
  const GeneMap map(space);
  if (map.gene_decisions.empty()) {
    throw std::invalid_argument("run_nsga2: space " + space.spec() + " has no decision of two or more choices");
  }
  std::vector<spaces::Arch> start;
  for (const spaces::Arch& arch : initial) {
    if (static_cast<std::int64_t>(start.size()) == options.population) break;
    space.validate(arch);
    start.push_back(arch);
  }
  while (static_cast<std::int64_t>(start.size()) < options.population) start.push_back(space.random(rng));

  // The objective count, from the first architecture; then the population with its objectives in one batch.
  const std::vector<ObjectiveVector> values = objectives(start);
  if (values.size() != start.size() || values.front().size() < 2) {
    throw std::invalid_argument("run_nsga2: objectives gave " + std::to_string(values.size()) + " vectors of " +
                                std::to_string(values.empty() ? 0 : values.front().size()) + " for " +
                                std::to_string(start.size()) + " architectures (at least 2 objectives each)");
  }
  std::uniform_int_distribution<unsigned> seeds;
  pagmo::problem problem(SpaceProblem{&map, &objectives, values.front().size()});
  pagmo::population population(problem, 0u, seeds(rng));
  for (std::size_t i = 0; i < start.size(); ++i) {
    if (values[i].size() != values.front().size())
      throw std::invalid_argument("run_nsga2: objective vectors differ in size");
    population.push_back(map.genes(start[i]), values[i]);
  }
  pagmo::nsga2 algorithm(static_cast<unsigned>(options.generations), options.crossover_prob, 10.0,
                         options.mutation_prob, 50.0, seeds(rng));
  algorithm.set_bfe(pagmo::bfe{});
  population = algorithm.evolve(population);
  std::vector<spaces::Arch> final_population;
  for (const pagmo::vector_double& x : population.get_x()) final_population.push_back(map.arch(x));
  return final_population;
}

std::vector<double> to_genes(const spaces::SearchSpace& space, const spaces::Arch& arch) {
  space.validate(arch);
  return GeneMap(space).genes(arch);
}

spaces::Arch from_genes(const spaces::SearchSpace& space, const std::vector<double>& genes) {
  const GeneMap map(space);
  if (genes.size() != map.gene_decisions.size()) {
    throw std::invalid_argument("from_genes: " + std::to_string(genes.size()) + " genes for " +
                                std::to_string(map.gene_decisions.size()));
  }
  return map.arch(genes);
}

}  // namespace controllers
