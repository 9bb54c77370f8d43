// Elitist top-k evolution: each generation's parents are the best
// `select` of everything evaluated so far; its children are mutations and
// crossovers of them. Two strategies are this algorithm with their own
// defaults:
//
// spos: Single Path One-Shot (Guo et al., ECCV 2020), as
// megvii-model/SinglePathOneShot does it: the supernet trained on one
// uniformly sampled path per step ([controller] train_epochs epochs; 0 when
// its weights come from another run, [search] shared_weights_from), then,
// with no weight training, an evolutionary search over it
// (src/Search/search.py:196-234), one generation per epoch:
//   1. the first generation: `population` random candidates;
//   2. after each, the top `select` of everything evaluated so far (an
//      elitist top-k over the whole history, update_top_k);
//   3. `mutations` children, each of a parent drawn uniformly from the top,
//      every gene resampled uniformly with probability `mutation_prob`
//      (SearchSpace::resample; the same value may be drawn again, and a
//      child equal to a seen architecture is not admitted), at most 10 x
//      mutations tries (search.py:147-171);
//   4. `crossovers` children of two parents drawn from the top, each gene
//      from either with probability 1/2 (the space's crossover, which in
//      the spos space draws per gene, search.py:173-194), at most 10 x
//      crossovers tries;
//   5. the rest of the population random.
// Every candidate is admitted once and only within the run's constraints
// ([search] max_macs / max_params; SPOS: flops-limit 330e6, is_legal); it
// is scored by the run's evaluator, SPOS's being "recalibrated". Options
// and defaults: search.py:237-251.
//
// ofa_evolution: the evolution finder of Once-for-All (Cai et al., ICLR
// 2020; once-for-all ofa/nas/search_algorithm/evolution.py:67-140):
// `population` random candidates within the efficiency constraint, then
// each generation round(mutation_ratio x population) mutations (each gene
// resampled with `mutation_prob`) and the rest crossovers, of parents drawn
// from the top round(parent_ratio x population) of the previous parents and
// children (which, parents surviving, is the top of everything evaluated:
// the same elitism as SPOS's). Scored by the run's evaluator, OFA's being a
// performance predictor ([search] evaluation = "predictor", predictor_model
// = "mlp"). Where OFA re-draws a child until it meets the constraint, with
// no bound (a known hang, evolution.py:33-65), a child here has 10 x the
// children's count of tries, then the rest is random, and a constraint no
// random draw meets is an error naming it. `generations` counts the
// initial population (OFA's max_time_budget 500 counts the generations
// after it); its default, 100, is what Fashion-MNIST needs, and
// ofa_cifar10.toml sets OFA's 501. Other defaults: evolution.py:18-24.
// Two more departures: crossover is the space's (a node's decisions from
// one parent, which in the spos space is OFA's gene-wise pick; in a cell
// space an op travels with its input), and OFA's separate resolution
// mutation (p 0.5) has no counterpart, as no space here searches the input
// resolution.

#include <algorithm>
#include <cmath>

#include "controllers/evolution.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

struct TopKOptions {
  std::int64_t train_epochs, population, select, mutations, crossovers, generations;
  double mutation_prob;
};

class TopKEvolution : public Evolution {
 public:
  TopKEvolution(std::string name, spaces::SpacePtr space, std::uint64_t seed, const TopKOptions& options)
      : Evolution(std::move(name), std::move(space), seed, options.train_epochs), options_(options) {}

  // Before the first generation, the supernet's epochs count in full (the
  // strategy does not see how many have run).
  std::optional<std::int64_t> epochs_to_finish() const override {
    const std::int64_t done = static_cast<std::int64_t>(history().size()) / options_.population;
    return done == 0 ? options_.train_epochs + options_.generations : options_.generations - done;
  }
  bool finished() const override {
    return static_cast<std::int64_t>(history().size()) >= options_.population * options_.generations;
  }

 protected:
  std::int64_t batch_size() const override { return options_.population; }

  void breed(std::vector<Candidate>& out, std::size_t /*size: the population*/) override {
    const std::vector<const Candidate*> top = fittest(static_cast<std::size_t>(options_.select));
    if (top.empty()) return;  // the first generation: all random
    std::uniform_int_distribution<std::size_t> pick(0, top.size() - 1);
    admit_children(out, static_cast<std::size_t>(options_.mutations), 10 * options_.mutations, [&]() -> Candidate {
      const Candidate& parent = *top[pick(rng_)];
      return {.arch = space_->resample(parent.arch, options_.mutation_prob, rng_),
              .origin = Origin::kMutation,
              .parents = {parent.id}};
    });
    admit_children(out, static_cast<std::size_t>(options_.crossovers), 10 * options_.crossovers, [&]() -> Candidate {
      const Candidate& a = *top[pick(rng_)];
      const Candidate& b = *top[pick(rng_)];
      return {.arch = space_->crossover(a.arch, b.arch, rng_), .origin = Origin::kCrossover, .parents = {a.id, b.id}};
    });
  }

 private:
  TopKOptions options_;
};

std::unique_ptr<Controller> make_top_k_evolution(const std::string& name, spaces::SpacePtr space, std::uint64_t seed,
                                                 const TopKOptions& options) {
  if (options.mutations + options.crossovers > options.population) {
    throw spaces::OptionError(name + ": mutations + crossovers (" +
                              std::to_string(options.mutations + options.crossovers) + ") exceed the population (" +
                              std::to_string(options.population) + ")");
  }
  return std::make_unique<TopKEvolution>(name, std::move(space), seed, options);
}

}  // namespace

REGISTER_CONTROLLER(
    spos, "Single Path One-Shot: supernet on uniform paths, then evolution (top-k, mutation, crossover)",
    Capabilities{.spaces = {"*"}, .staged = true},
    {spaces::ParamSpec{"train_epochs", std::int64_t{0},
                       "epochs of supernet training on uniform paths before the search (0: weights from "
                       "[search] shared_weights_from, or none)",
                       0, 1e6},
     spaces::ParamSpec{"population", std::int64_t{50}, "candidates per generation (SPOS: population-num 50)", 2, 1e6},
     spaces::ParamSpec{"select", std::int64_t{10}, "parents: the top of all evaluated (SPOS: select-num 10)", 1, 1e6},
     spaces::ParamSpec{"mutations", std::int64_t{25}, "mutated children per generation (SPOS: mutation-num 25)", 0,
                       1e6},
     spaces::ParamSpec{"crossovers", std::int64_t{25}, "crossover children per generation (SPOS: crossover-num 25)", 0,
                       1e6},
     spaces::ParamSpec{"mutation_prob", 0.1, "probability each gene is resampled (SPOS: m_prob 0.1)", 0, 1},
     spaces::ParamSpec{"generations", std::int64_t{20}, "generations (SPOS: max-epochs 20)", 1, 1e6}},
    [](spaces::SpacePtr space, const spaces::Params& p, std::uint64_t seed) -> std::unique_ptr<Controller> {
      const TopKOptions options{p.get_int("train_epochs"),    p.get_int("population"), p.get_int("select"),
                                p.get_int("mutations"),       p.get_int("crossovers"), p.get_int("generations"),
                                p.get_double("mutation_prob")};
      return make_top_k_evolution("spos", std::move(space), seed, options);
    });

REGISTER_CONTROLLER(
    ofa_evolution,
    "Once-for-All's evolution finder: top parents, mutations and crossovers under an efficiency constraint, scored "
    "by an accuracy predictor",
    Capabilities{.spaces = {"*"}, .staged = true},
    {spaces::ParamSpec{"train_epochs", std::int64_t{0},
                       "epochs of shared-weight training on uniform paths before the search (0: OFA's way, the "
                       "supernet trained elsewhere)",
                       0, 1e6},
     spaces::ParamSpec{"population", std::int64_t{100}, "candidates per generation (OFA: population_size 100)", 2, 1e6},
     spaces::ParamSpec{"parent_ratio", 0.25, "parents: this fraction of the population, the fittest (OFA: 0.25)", 0, 1},
     spaces::ParamSpec{"mutation_ratio", 0.5, "children by mutation: this fraction, the rest by crossover (OFA: 0.5)",
                       0, 1},
     spaces::ParamSpec{"mutation_prob", 0.1, "probability each gene is resampled (OFA: arch_mutate_prob 0.1)", 0, 1},
     spaces::ParamSpec{"generations", std::int64_t{100},
                       "generations, the first (random) included (OFA: max_time_budget 500 after it)", 1, 1e6}},
    [](spaces::SpacePtr space, const spaces::Params& p, std::uint64_t seed) -> std::unique_ptr<Controller> {
      const std::int64_t population = p.get_int("population");
      const std::int64_t mutations = std::llround(p.get_double("mutation_ratio") * double(population));
      const TopKOptions options{
          p.get_int("train_epochs"),
          population,
          std::max<std::int64_t>(1, std::llround(p.get_double("parent_ratio") * double(population))),
          mutations,
          population - mutations,
          p.get_int("generations"),
          p.get_double("mutation_prob")};
      return make_top_k_evolution("ofa_evolution", std::move(space), seed, options);
    });

}  // namespace controllers
