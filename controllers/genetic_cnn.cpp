// genetic_cnn: the genetic algorithm of Genetic CNN (Xie & Yuille, ICCV
// 2017, "Genetic CNN", section 3), as gmontamat/gentun's replica of its
// section 4.2 runs it (src/gentun/algorithms.py, RussianRoulette; there is
// no official code), on the genet space:
//   1. the first generation: `population` random individuals;
//   2. each generation after: Russian-roulette selection of `population`
//      individuals with replacement, weight = fitness - the generation's
//      lowest fitness (all equal when every weight is 0);
//   3. the selected walk in consecutive pairs; a pair crosses over with
//      probability `crossover_prob` (each stage swapped between the two
//      with probability `stage_swap_prob`), otherwise each of the two is
//      mutated with probability `mutation_prob` (each bit flipped with
//      probability `bit_flip_prob`);
//   4. repeat for `generations` generations.
// Each individual is scored once by the run's evaluator (Genetic CNN's: a
// trial, each trained from scratch); a survivor, or a child equal to an
// architecture already scored, keeps the fitness it had (gentun caches an
// individual's fitness; the paper re-trains survivors and averages, which
// costs an evaluation per survivor and is not done here). A child outside
// the run's constraints ([search] max_params / max_macs) is not evaluated;
// its parent takes its place in the population. Pairs are (0,1), (2,3), ...;
// gentun's index arithmetic pairs (last, 0) first, a quirk not copied.
// Each generation, once scored, is one row of table "population" (its
// members' ids and fitnesses, survivors included).
// Defaults: gentun examples/geneticcnn_cifar10.py (N 20, T 50, p_C 0.2,
// q_C 0.2, p_M 0.8, q_M 0.05).

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <stdexcept>

#include "controllers/evolution.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

struct GeneticOptions {
  std::int64_t population, generations;
  double crossover_prob, stage_swap_prob, mutation_prob, bit_flip_prob;
};

class GeneticCnn : public Evolution {
 public:
  GeneticCnn(spaces::SpacePtr space, std::uint64_t seed, const GeneticOptions& options)
      : Evolution("genetic_cnn", std::move(space), seed, /*train_epochs=*/0), options_(options) {}

  bool finished() const override { return generations_bred_ >= options_.generations && idle(); }

 protected:
  std::int64_t batch_size() const override { return options_.population; }
  bool tops_up_randomly() const override { return false; }

  void breed(std::vector<Candidate>& out, std::size_t /*size: the population*/) override {
    if (generations_bred_ == 0) {
      fill_randomly(out, static_cast<std::size_t>(options_.population));
      for (const Candidate& c : out) population_.push_back(c.arch);
    } else {
      std::vector<Child> children = next_generation();  // from the current population_
      population_.clear();
      for (Child& child : children) {
        const spaces::Arch& arch = child.candidate.arch;
        // Scored before, admitted now, or bred twice in this generation: it stays; else it breaks the
        // constraints and the genome it came from takes its place.
        const bool stays = evaluated(arch) != nullptr || admit(child.candidate, out) || admitted(arch);
        population_.push_back(stays ? arch : child.parent_genome);
      }
    }
    ++generations_bred_;
    if (out.empty()) record_population();  // survivors and repeats only: already scored
  }

  void on_feedback(const Candidate& /*candidate*/, const Feedback& /*feedback*/) override {
    if (idle() && recorded_generations_ < generations_bred_) record_population();  // the generation is scored
  }

  void evolution_state_fields(StateFields& fields) override {
    fields.integer("generations_bred", generations_bred_);
    fields.integer("recorded_generations", recorded_generations_);
    std::string text;  // one architecture a line, as its tokens (the arc form: each member's own genome)
    for (const spaces::Arch& arch : population_) text += space_->to_string(arch, "arc") + '\n';
    fields.text("population", text);
    if (fields.saving()) return;
    population_.clear();
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      try {
        population_.push_back(space_->parse(line));
      } catch (const std::exception& e) {
        fields.fail("text '" + fields.key("population") + "': " + e.what());
      }
      if (!admitted(population_.back())) {
        fields.fail("text '" + fields.key("population") + "' holds an architecture this run never admitted");
      }
    }
  }

 private:
  // The generation just scored, survivors included: one row of table
  // "population" (generation, the members' ids and fitnesses, their mean
  // and best), so its progress can be plotted.
  void record_population() {
    std::string ids, fitnesses;
    double sum = 0.0, best = -std::numeric_limits<double>::infinity();
    for (const spaces::Arch& arch : population_) {
      const Candidate* scored = evaluated(arch);
      if (scored == nullptr) throw std::logic_error("genetic_cnn: a member of the population was never scored");
      const Candidate& member = *scored;
      ids += (ids.empty() ? "" : " ") + std::to_string(member.id);
      std::ostringstream fitness;
      fitness << member.fitness;
      fitnesses += (fitnesses.empty() ? "" : " ") + fitness.str();
      sum += member.fitness;
      best = std::max(best, member.fitness);
    }
    add_record(spaces::Record("population")
                   .set("generation", recorded_generations_++)
                   .set("members", ids)
                   .set("fitness", fitnesses)
                   .set("mean_fitness", sum / double(population_.size()))
                   .set("best_fitness", best));
  }

  // A member of the next generation, and the genome selected for it (its
  // own parent's bits, which take its place if it breaks the constraints).
  struct Child {
    Candidate candidate;
    spaces::Arch parent_genome;
  };

  // Selection, then crossover or mutation of each pair: the next
  // population, each member with its origin and its selected parents (its
  // own first). Selection copies members' own genomes, not the first
  // scored architecture of their canonical hash.
  std::vector<Child> next_generation() {
    std::vector<const Candidate*> scored;  // every member was scored (breed keeps no other)
    double lowest = std::numeric_limits<double>::infinity();
    for (const spaces::Arch& arch : population_) {
      scored.push_back(evaluated(arch));
      if (scored.back() == nullptr) throw std::logic_error("genetic_cnn: a member of the population was never scored");
      if (!std::isnan(scored.back()->fitness)) lowest = std::min(lowest, scored.back()->fitness);
    }
    std::vector<double> weights;  // a failed evaluation (NaN) weighs nothing
    double total = 0.0;
    for (const Candidate* c : scored) {
      weights.push_back(std::isnan(c->fitness) ? 0.0 : c->fitness - lowest);
      total += weights.back();
    }
    if (!(total > 0.0)) std::fill(weights.begin(), weights.end(), 1.0);
    std::discrete_distribution<std::size_t> roulette(weights.begin(), weights.end());
    std::vector<Child> next;
    for (std::size_t i = 0; i < population_.size(); ++i) {
      const std::size_t k = roulette(rng_);
      next.push_back(
          {{.arch = population_[k], .origin = Origin::kMutation, .parents = {scored[k]->id}}, population_[k]});
    }

    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const auto mutate = [&](Child& child) {
      // A binary decision redrawn with probability 2q changes with probability q.
      Candidate& c = child.candidate;
      if (unit(rng_) < options_.mutation_prob) c.arch = space_->resample(c.arch, 2.0 * options_.bit_flip_prob, rng_);
    };
    for (std::size_t i = 0; i + 1 < next.size(); i += 2) {
      if (unit(rng_) < options_.crossover_prob) {
        Candidate& a = next[i].candidate;
        Candidate& b = next[i + 1].candidate;
        swap_stages(a.arch, b.arch, unit);
        a.origin = b.origin = Origin::kCrossover;
        const std::int64_t a_parent = a.parents.front(), b_parent = b.parents.front();
        a.parents = {a_parent, b_parent};
        b.parents = {b_parent, a_parent};
      } else {
        mutate(next[i]);
        mutate(next[i + 1]);
      }
    }
    if (next.size() % 2 == 1) mutate(next.back());  // an odd population's last has no partner
    return next;
  }

  // Each stage (the decisions of one cell) swapped between `a` and `b` with probability stage_swap_prob.
  void swap_stages(spaces::Arch& a, spaces::Arch& b, std::uniform_real_distribution<double>& unit) {
    const auto& decisions = space_->decisions();
    int cells = 0;
    for (const auto& d : decisions) cells = std::max(cells, d.cell + 1);
    for (int cell = 0; cell < cells; ++cell) {
      if (unit(rng_) >= options_.stage_swap_prob) continue;
      for (std::size_t t = 0; t < decisions.size(); ++t) {
        if (decisions[t].cell == cell) std::swap(a.tokens[t], b.tokens[t]);
      }
    }
  }

  GeneticOptions options_;
  std::vector<spaces::Arch> population_;  // the current generation, duplicates included
  std::int64_t generations_bred_ = 0, recorded_generations_ = 0;
};

}  // namespace

REGISTER_CONTROLLER(
    genetic_cnn,
    "Genetic CNN: roulette selection, stage-wise crossover, bit-flip mutation, each individual a trial (Xie & "
    "Yuille 2017)",
    Capabilities{.spaces = {"genet"}},
    {spaces::ParamSpec{"population", std::int64_t{20}, "individuals per generation N (gentun CIFAR-10: 20)", 2, 1e6},
     spaces::ParamSpec{"generations", std::int64_t{50}, "generations T, the first included (gentun CIFAR-10: 50)", 1,
                       1e6},
     spaces::ParamSpec{"crossover_prob", 0.2, "probability p_C that a pair crosses over (gentun: 0.2)", 0, 1},
     spaces::ParamSpec{"stage_swap_prob", 0.2, "probability q_C that a crossing pair swaps a stage (gentun: 0.2)", 0,
                       1},
     spaces::ParamSpec{"mutation_prob", 0.8,
                       "probability p_M that an individual of a pair not crossed mutates "
                       "(gentun: 0.8)",
                       0, 1},
     spaces::ParamSpec{"bit_flip_prob", 0.05, "probability q_M that a mutating individual flips a bit (gentun: 0.05)",
                       0, 0.5}},
    [](spaces::SpacePtr space, const spaces::Params& p, std::uint64_t seed) -> std::unique_ptr<Controller> {
      return std::make_unique<GeneticCnn>(
          std::move(space), seed,
          GeneticOptions{p.get_int("population"), p.get_int("generations"), p.get_double("crossover_prob"),
                         p.get_double("stage_swap_prob"), p.get_double("mutation_prob"),
                         p.get_double("bit_flip_prob")});
    });

}  // namespace controllers
