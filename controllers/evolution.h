#pragma once
// Evolution: the ask/tell module every evolutionary strategy is built on
// (spos and ofa_evolution in top_k_evolution.cpp, regularized_evolution, genetic_cnn). It
// owns what they share:
// - the schedule: [controller] train_epochs epochs of weight training on
//   uniformly sampled paths (a supernet, as SPOS trains it; 0 when the
//   evaluator trains its own networks or the weights come from another
//   run), then one evaluate phase per epoch of `batch_size()` candidates;
// - admission: a candidate is admitted once (de-duplicated by its space's
//   canonical hash over the whole history) and only when it satisfies the
//   run's constraints (CostModel::violation); a strategy draws until it
//   has admitted what it needs, within a bounded number of tries, and a
//   constraint that random draws cannot meet is an error naming it and
//   the cheapest candidate seen (OFA's rejection loops spin forever,
//   once-for-all evolution.py:33-65);
// - the history: every evaluated candidate with its fitness (the reward),
//   generation, origin (random, mutation, crossover) and parents, saved in
//   the state, and one record per candidate in the archive's /generations
//   table when its feedback arrives (generation, origin, parents, fitness,
//   and the metrics), so a population's progress can be plotted;
// - the result: the best distinct candidates of the history, best first.
//
// A strategy supplies breed(): the next candidates to evaluate, from the
// history so far; and may react to feedback (on_feedback).

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "controllers/controller.h"

namespace controllers {

// How a candidate came to be.
// kPredicted: chosen by a search over a predictor's scores (DyNAS's inner NSGA-II).
enum class Origin { kRandom, kMutation, kCrossover, kPredicted };
std::string to_string(Origin origin);

struct Candidate {
  std::int64_t id = -1;  // the proposal id
  spaces::Arch arch;
  Origin origin = Origin::kRandom;
  std::vector<std::int64_t> parents;                          // ids of its parents (none for a random one)
  std::int64_t generation = 0;                                // 0-based: the breeding round it came from
  double fitness = std::numeric_limits<double>::quiet_NaN();  // the reward; NaN until evaluated
};

class Evolution : public Controller {
 public:
  // `name`: the strategy's registered name (for errors); `train_epochs`:
  // epochs of weight training before the first generation.
  Evolution(std::string name, spaces::SpacePtr space, std::uint64_t seed, std::int64_t train_epochs);

  std::string name() const override { return name_; }
  std::vector<Phase> phases(std::int64_t epoch) const override;
  std::vector<Proposal> propose(int n) override;
  std::vector<spaces::Arch> sample(int n) override;
  UpdateStats observe(const std::vector<Feedback>& feedback) override;
  std::vector<spaces::Arch> result() const override;
  Report take_report() override;
  void use_cost_model(CostModel* model) override { cost_model_ = model; }

  // Every evaluated candidate, in the order their feedback arrived.
  const std::vector<Candidate>& history() const { return history_; }

 protected:
  // Candidates per evaluate phase (one generation, or a batch of cycles).
  virtual std::int64_t batch_size() const = 0;
  // How many candidates to breed at once when `asked` proposals are
  // wanted and nothing bred is left: a whole generation (default), or
  // only what the update asks for (a steady-state strategy).
  virtual std::int64_t breed_size(int asked) const {
    (void)asked;
    return batch_size();
  }
  // Appends to `out` at most `size` candidates, each through admit(), bred
  // from history(); a breeding round's number is its candidates'
  // generation. What it does not breed is drawn at random, unless
  // tops_up_randomly() is false: then a round may breed fewer, or none
  // (a generation of survivors already evaluated), and the next round
  // follows; kMaxTries rounds in a row without a new candidate throw
  // std::runtime_error.
  virtual void breed(std::vector<Candidate>& out, std::size_t size) = 0;
  virtual bool tops_up_randomly() const { return true; }
  // Called with each feedback item before any of a batch is settled; a
  // strategy that needs more than a reward (DyNAS: the objectives) throws
  // std::invalid_argument here, so a refused batch changes nothing.
  virtual void check_feedback(const Feedback& feedback) const { (void)feedback; }
  // Called with each evaluated candidate, after it joined history(), and
  // the feedback it came with (all its metrics and the search's objectives).
  virtual void on_feedback(const Candidate& candidate, const Feedback& feedback) {
    (void)candidate;
    (void)feedback;
  }
  // The strategy's own saved fields (the base saves its own).
  virtual void evolution_state_fields(StateFields& fields) { (void)fields; }

  // Admits `candidate` into `out` when its architecture is new (never
  // admitted before, by canonical hash) and satisfies the constraints;
  // returns whether it did.
  bool admit(Candidate candidate, std::vector<Candidate>& out);
  // Admits children from `make_child` until `count` more are in `out` or
  // `tries` children were made, whichever comes first (duplicates and
  // children outside the constraints are not admitted).
  void admit_children(std::vector<Candidate>& out, std::size_t count, std::int64_t tries,
                      const std::function<Candidate()>& make_child);
  // Uniform random candidates until `out` holds `size`, or throws
  // std::runtime_error after max_tries draws without one admitted, naming
  // the constraint and the cheapest candidate drawn.
  void fill_randomly(std::vector<Candidate>& out, std::size_t size);
  // The `k` fittest evaluated candidates, best first. This pointer and
  // evaluated()'s point into history(), valid until the next observe().
  std::vector<const Candidate*> fittest(std::size_t k) const;
  // The evaluated candidate with `arch`'s canonical hash, or nullptr.
  const Candidate* evaluated(const spaces::Arch& arch) const;
  // Whether an architecture with `arch`'s canonical hash was ever admitted.
  bool admitted(const spaces::Arch& arch) const { return seen_.count(space_->canonical_hash(arch)) > 0; }
  // Nothing bred is waiting to be proposed or scored.
  bool idle() const { return pending_.empty() && outstanding_.empty(); }
  // A record of the strategy's own for the next report (take_report).
  void add_record(spaces::Record record) { records_.push_back(std::move(record)); }

  spaces::SpacePtr space_;
  spaces::Rng rng_;
  static constexpr int kMaxTries = 10000;  // draws per admitted candidate before giving up

 private:
  void state_fields(StateFields& fields) final;
  std::string name_;
  std::int64_t train_epochs_;
  CostModel* cost_model_ = nullptr;
  std::int64_t next_id_ = 0, generation_ = 0;
  std::deque<Candidate> pending_;                             // bred, not yet proposed
  std::vector<Candidate> outstanding_;                        // proposed, awaiting feedback
  std::vector<Candidate> history_;                            // evaluated
  std::unordered_set<std::uint64_t> seen_;                    // canonical hashes of every admitted candidate
  std::unordered_map<std::uint64_t, std::size_t> evaluated_;  // canonical hash -> index in history_
  std::vector<spaces::Record> records_;
};

}  // namespace controllers
