// dynas: DyNAS-T's LINAS search (Cummings et al. 2022, "Accelerating
// Neural Architecture Exploration Across Modalities Using Genetic
// Algorithms"; IntelLabs/DyNAS-T dynast/search/search_tactic.py:509-728,
// the search Intel Neural Compressor's DyNAS runs), multi-objective:
//   1. `population` uniformly random architectures;
//   2. each loop: every one measured for real (the run's evaluator: a
//      supernet's weights or a trial), then one predictor per objective
//      fitted on everything measured so far, then an inner NSGA-II of
//      `inner_evals` predicted evaluations (inner_evals / population
//      generations), whose final population is the next loop's to measure;
//   3. round(num_evals / population) loops (DyNAS-T: 250 / 50 = 5).
// The objectives are the search's ([search] objectives, e.g.
// "accuracy,macs"); the core archives every measured candidate with all its
// metrics, the Pareto front after each loop and its hypervolume
// (experiments/search/pareto_tracker.h).
// Defaults: DyNAS-T's (num_evals 250, LINAS_INNERLOOP_EVALS 20000, pymoo
// crossover 0.9 and mutation 0.02) except the population, 48 where DyNAS
// uses 50: pagmo's NSGA-II needs a multiple of 4.
// Departures, each for a reason:
// - the inner NSGA-II is pagmo's (integer two-point crossover and uniform
//   redraws) where DyNAS-T's is pymoo's (SBX and polynomial mutation with
//   rounding); see controllers/nsga2.h;
// - it starts from the loop's measured population, as DyNAS-T's warm_pop
//   intends; DyNAS-T's check `type(warm_pop) == 'numpy.ndarray'` is always
//   false, so its inner runs start from random (evolutionary.py:145);
// - an architecture measured before is not measured again (DyNAS-T
//   measures the inner run's population whatever it holds); the loop is
//   topped up with random ones, so every loop measures `population` new
//   architectures: round(num_evals / population) x population in all (240
//   for DyNAS-T's 250 at 48);
// - the smallest population is pagmo's, 8 (INC's DyNAS refuses fewer than
//   10), so tests can run a loop in milliseconds;
// Predictors: DyNAS-T's by default (controllers/dynas_predictor.h: ridge or
// RBF SVR, whichever has the lower cross-validated MAPE), or any of
// controllers/performance_predictor.h's, fitted on targets scaled as
// DyNAS-T scales them (divided by 10^(floor(log10 max|y|) - 1)).

#include <cmath>
#include <sstream>

#include "controllers/evolution.h"
#include "controllers/nsga2.h"
#include "controllers/performance_predictor.h"
#include "spaces/arch.h"
#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

struct DynasOptions {
  std::int64_t train_epochs, population, num_evals, inner_evals;
  double crossover_prob, mutation_prob;
  std::string predictor;
};

// DyNAS-T's label scale: 10^(floor(log10(max |y|)) - 1), 1 for all zeros.
double label_scale(const std::vector<double>& y) {
  double largest = 0.0;
  for (double v : y) largest = std::max(largest, std::abs(v));
  return largest > 0.0 ? std::pow(10.0, std::floor(std::log10(largest)) - 1.0) : 1.0;
}

class Dynas : public Evolution {
 public:
  Dynas(spaces::SpacePtr space, std::uint64_t seed, const DynasOptions& options)
      : Evolution("dynas", std::move(space), seed, options.train_epochs), options_(options), seed_(seed) {}

  std::optional<std::int64_t> epochs_to_finish() const override {
    const std::int64_t done = static_cast<std::int64_t>(history().size()) / options_.population;
    return done == 0 ? options_.train_epochs + loops() : loops() - done;
  }
  bool finished() const override {
    return static_cast<std::int64_t>(history().size()) >= options_.population * loops();
  }

 protected:
  std::int64_t batch_size() const override { return options_.population; }

  void breed(std::vector<Candidate>& out, std::size_t size) override {
    if (history().empty()) return;  // the first loop: all random
    const std::size_t count = objectives_.begin()->second.size();
    std::vector<std::vector<std::int64_t>> tokens;
    std::vector<std::vector<double>> targets(count);
    for (const Candidate& c : history()) {
      tokens.push_back(c.arch.tokens);
      const std::vector<double>& values = objectives_.at(c.id);
      if (values.size() != count) throw std::logic_error("dynas: candidates with different objective counts");
      for (std::size_t j = 0; j < count; ++j) targets[j].push_back(values[j]);
    }
    std::vector<std::unique_ptr<PerformancePredictor>> predictors;
    std::vector<double> scales;
    spaces::Record record("dynas_loops");
    record.set("loop", static_cast<std::int64_t>(history().size()) / options_.population)
        .set("measured", static_cast<std::int64_t>(history().size()));
    for (std::size_t j = 0; j < count; ++j) {
      scales.push_back(label_scale(targets[j]));
      std::vector<double> scaled;
      for (double v : targets[j]) scaled.push_back(v / scales.back());
      predictors.push_back(make_predictor(options_.predictor, space_, seed_ + j));
      predictors.back()->fit(tokens, scaled);
      record.set("predictor_" + std::to_string(j), predictors.back()->summary());
    }
    const BatchObjectives predicted = [&](const std::vector<spaces::Arch>& archs) {
      std::vector<std::vector<std::int64_t>> rows;
      for (const spaces::Arch& a : archs) rows.push_back(a.tokens);
      std::vector<ObjectiveVector> values(archs.size());
      for (std::size_t j = 0; j < count; ++j) {
        const std::vector<double> column = predictors[j]->predict(rows);
        for (std::size_t i = 0; i < archs.size(); ++i) values[i].push_back(column[i] * scales[j]);
      }
      return values;
    };
    // The inner run starts from the loop just measured (the newest `population` of the history).
    std::vector<spaces::Arch> start;
    const auto& evaluated = history();
    for (std::size_t i = evaluated.size() - std::min(evaluated.size(), size); i < evaluated.size(); ++i) {
      start.push_back(evaluated[i].arch);
    }
    const Nsga2Options inner{.population = options_.population,
                             .generations = std::max<std::int64_t>(1, options_.inner_evals / options_.population),
                             .crossover_prob = options_.crossover_prob,
                             .mutation_prob = options_.mutation_prob};
    std::int64_t offered = 0;
    for (spaces::Arch& arch : run_nsga2(*space_, predicted, start, inner, rng_)) {
      if (out.size() >= size) break;
      offered += admit({.arch = std::move(arch), .origin = Origin::kPredicted, .parents = {}}, out) ? 1 : 0;
    }
    record.set("new_from_inner_run", offered);
    add_record(std::move(record));
  }

  void check_feedback(const Feedback& feedback) const override {
    const std::size_t expected = objectives_.empty() ? feedback.objectives.size() : objectives_.begin()->second.size();
    for (double v : feedback.objectives) {
      if (!std::isfinite(v)) {
        throw std::invalid_argument("dynas: feedback for id " + std::to_string(feedback.id) +
                                    " with an objective that is not finite");
      }
    }
    if (feedback.objectives.size() < 2 || feedback.objectives.size() > 3 || feedback.objectives.size() != expected) {
      throw std::invalid_argument("dynas: feedback for id " + std::to_string(feedback.id) + " with " +
                                  std::to_string(feedback.objectives.size()) +
                                  " objectives (it needs the search's 2 or 3, the same for every candidate)");
    }
  }
  void on_feedback(const Candidate& candidate, const Feedback& feedback) override {
    objectives_[candidate.id] = feedback.objectives;
  }

  void evolution_state_fields(StateFields& fields) override {
    std::string text;  // one candidate a line: id, then its objectives
    for (const auto& [id, values] : objectives_) {
      text += std::to_string(id);
      for (double v : values) text += ' ' + spaces::round_trip_text(v);
      text += '\n';
    }
    fields.text("objectives", text);
    if (fields.saving()) return;
    objectives_.clear();
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::int64_t id = 0;
      std::vector<double> values;
      words >> id;
      for (std::string w; words >> w;) values.push_back(std::stod(w));
      if (values.size() < 2)
        fields.fail("text '" + fields.key("objectives") + "' has a line of fewer than 2 objectives");
      objectives_[id] = std::move(values);
    }
    for (const Candidate& c : history()) {
      if (objectives_.count(c.id) == 0)
        fields.fail("text '" + fields.key("objectives") + "' lacks candidate " + std::to_string(c.id));
    }
  }

 private:
  std::int64_t loops() const {
    return std::max<std::int64_t>(1, std::llround(double(options_.num_evals) / double(options_.population)));
  }

  DynasOptions options_;
  std::uint64_t seed_;
  std::map<std::int64_t, std::vector<double>> objectives_;  // candidate id -> the search's objectives (lower is better)
};

}  // namespace

REGISTER_CONTROLLER(
    dynas,
    "DyNAS-T's LINAS: a measured population, one predictor per objective, an inner NSGA-II (pagmo) on the "
    "predictors whose final population is measured next (multi-objective)",
    Capabilities{.spaces = {"*"}, .staged = true, .objectives = {"accuracy", "macs"}},
    {spaces::ParamSpec{"train_epochs", std::int64_t{0},
                       "epochs of shared-weight training on uniform paths before the first loop (0: weights from "
                       "[search] shared_weights_from, or none)",
                       0, 1e6},
     spaces::ParamSpec{"population", std::int64_t{48},
                       "architectures measured per loop, a multiple of 4 (DyNAS-T: 50; pagmo's NSGA-II needs a "
                       "multiple of 4)",
                       8, 1e6},
     spaces::ParamSpec{"num_evals", std::int64_t{250},
                       "measured architectures in all: round(num_evals / population) loops (DyNAS-T: 250)", 1, 1e9},
     spaces::ParamSpec{"inner_evals", std::int64_t{20000},
                       "predicted evaluations per inner NSGA-II (DyNAS-T: LINAS_INNERLOOP_EVALS 20000)", 1, 1e9},
     spaces::ParamSpec{"crossover_prob", 0.9, "inner NSGA-II: crossover probability (DyNAS-T: 0.9)", 0, 1},
     spaces::ParamSpec{"mutation_prob", 0.02, "inner NSGA-II: per-gene redraw probability (DyNAS-T: 0.02)", 0, 1},
     spaces::ParamSpec{"predictor", std::string("dynas"),
                       "the model of each objective: dynas (DyNAS-T's: ridge or RBF SVR by cross-validated MAPE), "
                       "ridge, svr or mlp",
                       0, 0, predictor_models()}},
    [](spaces::SpacePtr space, const spaces::Params& p, std::uint64_t seed) -> std::unique_ptr<Controller> {
      const DynasOptions options{p.get_int("train_epochs"),      p.get_int("population"),
                                 p.get_int("num_evals"),         p.get_int("inner_evals"),
                                 p.get_double("crossover_prob"), p.get_double("mutation_prob"),
                                 p.get_string("predictor")};
      if (options.population % 4 != 0) {
        throw spaces::OptionError("dynas: population " + std::to_string(options.population) +
                                  " is not a multiple of 4 (pagmo's NSGA-II needs one; DyNAS-T's 50 becomes 48 or 52)");
      }
      return std::make_unique<Dynas>(std::move(space), seed, options);
    });

}  // namespace controllers
