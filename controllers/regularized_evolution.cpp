// regularized_evolution: aging evolution (Real, Aggarwal, Huang, Le, AAAI
// 2019, "Regularized Evolution for Image Classifier Architecture Search"),
// as the authors' public notebook runs it (google-research
// regularized_evolution.ipynb):
//   the population is filled with `population` random candidates; then
//   each cycle samples `sample_size` members of the population with
//   replacement (random.choice), mutates the fittest of the sample (the
//   space's mutate: one decision changed to another legal value, NASNet's
//   op or hidden-state mutation), evaluates the child, appends it to the
//   population and removes the oldest member, whatever its fitness.
// Paper settings: population 100, sample 25, cycles 20000 (the notebook's
// toy: 100, 10, 1000; NASBench-101's and NNI's sample without
// replacement). Cycles run `cycles_per_epoch` per epoch, in updates of
// [controller] archs_per_update children bred from the population the
// previous update left (1: the notebook's one cycle at a time; more: as
// the paper's parallel workers, which breed before hearing of their
// siblings). With
// [controller] train_epochs > 0, the shared weights are first trained on
// uniform paths (for the shared or recalibrated evaluators); with the
// trial evaluator every child trains its own network.

#include <deque>

#include "controllers/evolution.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

struct RegularizedOptions {
  std::int64_t train_epochs, population, sample_size, cycles_per_epoch;
};

class RegularizedEvolution : public Evolution {
 public:
  RegularizedEvolution(spaces::SpacePtr space, std::uint64_t seed, const RegularizedOptions& options)
      : Evolution("regularized_evolution", std::move(space), seed, options.train_epochs), options_(options) {}

 protected:
  std::int64_t batch_size() const override { return options_.cycles_per_epoch; }
  // Steady state: each update's children come from the population the
  // previous update left.
  std::int64_t breed_size(int asked) const override { return asked; }

  void breed(std::vector<Candidate>& out, std::size_t size) override {
    // The population: the newest `population` evaluated candidates (each
    // cycle appends one and the oldest ages out).
    const auto& evaluated = history();
    const std::size_t living = std::min<std::size_t>(evaluated.size(), static_cast<std::size_t>(options_.population));
    if (living < static_cast<std::size_t>(options_.population)) return;  // still filling it at random
    const std::size_t first = evaluated.size() - living;
    std::uniform_int_distribution<std::size_t> member(first, evaluated.size() - 1);
    admit_children(out, size, kMaxTries, [&]() -> Candidate {
      const Candidate* parent = nullptr;
      for (std::int64_t s = 0; s < options_.sample_size; ++s) {
        const Candidate& drawn = evaluated[member(rng_)];
        if (parent == nullptr || drawn.fitness > parent->fitness) parent = &drawn;
      }
      return {.arch = space_->mutate(parent->arch, rng_), .origin = Origin::kMutation, .parents = {parent->id}};
    });
  }

 private:
  RegularizedOptions options_;
};

}  // namespace

REGISTER_CONTROLLER(
    regularized_evolution, "aging evolution: tournament of a sample, mutated winner, oldest removed (Real et al. 2019)",
    Capabilities{.spaces = {"*"}},
    {spaces::ParamSpec{"train_epochs", std::int64_t{0},
                       "epochs of shared-weight training on uniform paths before evolving (0: none, or the weights "
                       "of [search] shared_weights_from)",
                       0, 1e6},
     spaces::ParamSpec{"population", std::int64_t{100}, "population size P (paper: 100)", 2, 1e6},
     spaces::ParamSpec{"sample_size", std::int64_t{25}, "tournament sample S, drawn with replacement (paper: 25)", 1,
                       1e6},
     spaces::ParamSpec{"cycles_per_epoch", std::int64_t{100}, "candidates evaluated per epoch", 1, 1e7}},
    [](spaces::SpacePtr space, const spaces::Params& p, std::uint64_t seed) -> std::unique_ptr<Controller> {
      return std::make_unique<RegularizedEvolution>(
          std::move(space), seed,
          RegularizedOptions{p.get_int("train_epochs"), p.get_int("population"), p.get_int("sample_size"),
                             p.get_int("cycles_per_epoch")});
    });

}  // namespace controllers
