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

#include "controllers/evolution.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

struct SposOptions {
  std::int64_t train_epochs, population, select, mutations, crossovers, generations;
  double mutation_prob;
};

class SposController : public Evolution {
 public:
  SposController(spaces::SpacePtr space, std::uint64_t seed, const SposOptions& options)
      : Evolution("spos", std::move(space), seed, options.train_epochs), options_(options) {}

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
    const std::size_t mutation_target = out.size() + static_cast<std::size_t>(options_.mutations);
    for (std::int64_t tries = 0; tries < 10 * options_.mutations && out.size() < mutation_target; ++tries) {
      const Candidate& parent = *top[pick(rng_)];
      admit({.arch = space_->resample(parent.arch, options_.mutation_prob, rng_),
             .origin = Origin::kMutation,
             .parents = {parent.id}},
            out);
    }
    const std::size_t crossover_target = out.size() + static_cast<std::size_t>(options_.crossovers);
    for (std::int64_t tries = 0; tries < 10 * options_.crossovers && out.size() < crossover_target; ++tries) {
      const Candidate& a = *top[pick(rng_)];
      const Candidate& b = *top[pick(rng_)];
      admit({.arch = space_->crossover(a.arch, b.arch, rng_), .origin = Origin::kCrossover, .parents = {a.id, b.id}},
            out);
    }
  }

 private:
  SposOptions options_;
};

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
      const SposOptions options{p.get_int("train_epochs"),    p.get_int("population"), p.get_int("select"),
                                p.get_int("mutations"),       p.get_int("crossovers"), p.get_int("generations"),
                                p.get_double("mutation_prob")};
      if (options.mutations + options.crossovers > options.population) {
        throw spaces::OptionError("spos: mutations + crossovers (" +
                                  std::to_string(options.mutations + options.crossovers) + ") exceed the population (" +
                                  std::to_string(options.population) + ")");
      }
      return std::make_unique<SposController>(std::move(space), seed, options);
    });

}  // namespace controllers
