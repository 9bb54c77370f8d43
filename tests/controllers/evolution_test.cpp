// The evolution module (controllers/evolution.h) through its strategies
// spos, regularized_evolution and genetic_cnn, on toy objectives: the
// fitness of an spos architecture is how many of its layers use block 2,
// of a genet architecture how many of its edges are present.

#include "controllers/evolution.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

const char* kSpace =
    "spos(stage_repeats=[2,2,2],stage_channels=[8,16,32],stem_channels=4)";  // 6 layers, 4^6 architectures

double toy_fitness(const spaces::Arch& arch) {
  return static_cast<double>(std::count(arch.tokens.begin(), arch.tokens.end(), 2));
}

// Proposes and observes `generations` batches of `size`, `per_update` at a
// time; returns each batch's fitnesses.
std::vector<std::vector<double>> run(Controller& controller, int generations, int size, int per_update = 5) {
  std::vector<std::vector<double>> fitness(static_cast<std::size_t>(generations));
  for (auto& batch : fitness) {
    while (static_cast<int>(batch.size()) < size) {
      std::vector<Feedback> feedback;
      for (const Proposal& p : controller.propose(std::min(per_update, size - static_cast<int>(batch.size())))) {
        feedback.push_back({p.id, toy_fitness(p.arch), {}});
        batch.push_back(toy_fitness(p.arch));
      }
      controller.observe(feedback);
    }
  }
  return fitness;
}

double mean(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

// A cost model whose "macs" is the sum of the tokens and whose constraint
// forbids block 3 in the first layer (or everything).
class ToyCosts : public CostModel {
 public:
  explicit ToyCosts(bool impossible) : impossible_(impossible) {}
  Metrics costs(const spaces::Arch& arch) override {
    double sum = 0;
    for (std::int64_t t : arch.tokens) sum += static_cast<double>(t);
    return {{"params", sum}, {"macs", sum}};
  }
  std::string violation(const spaces::Arch& arch) override {
    if (impossible_) return "macs " + std::to_string(costs(arch).at("macs")) + " > max_macs -1";
    return arch.tokens[0] == 3 ? "block 3 first" : "";
  }
  bool constrained() const override { return true; }

 private:
  bool impossible_;
};

// The mean of the `k` best of all batches.
double top_mean(const std::vector<std::vector<double>>& batches, std::size_t k) {
  std::vector<double> all;
  for (const auto& batch : batches) all.insert(all.end(), batch.begin(), batch.end());
  std::sort(all.rbegin(), all.rend());
  all.resize(std::min(k, all.size()));
  return mean(all);
}

// Against random search of the same 120 candidates: SPOS's top 10 are
// better (every candidate is new, so a generation's mean need not rise
// once the top is near the optimum; its top does).
TEST(Spos, TheSearchBeatsRandomSearchOfTheSameBudget) {
  const auto space = spaces::make_space(kSpace);
  auto spos = make_controller("spos(population=20,select=5,mutations=8,crossovers=8,generations=6)", space, 3);
  auto random = make_controller("random", space, 3);
  const auto evolved = run(*spos, 6, 20);
  const auto drawn = run(*random, 6, 20);
  EXPECT_GT(top_mean(evolved, 10), top_mean(drawn, 10) + 0.5);
  EXPECT_EQ(toy_fitness(spos->result().front()), 6.0);  // all six layers on block 2
  EXPECT_TRUE(spos->finished());
}

TEST(Spos, EveryCandidateIsNewAndRecordedWithItsOriginAndParents) {
  const auto space = spaces::make_space(kSpace);
  auto spos = make_controller("spos(population=10,select=3,mutations=4,crossovers=4,generations=3)", space, 1);
  std::set<std::uint64_t> seen;
  int proposals = 0;
  for (int batch = 0; batch < 6; ++batch) {
    std::vector<Feedback> feedback;
    for (const Proposal& p : spos->propose(5)) {
      EXPECT_TRUE(seen.insert(space->canonical_hash(p.arch)).second) << "proposed twice: " << space->to_string(p.arch);
      feedback.push_back({p.id, toy_fitness(p.arch), {{"accuracy", 0.5}}});
      ++proposals;
    }
    spos->observe(feedback);
  }
  EXPECT_EQ(proposals, 30);
  const Report report = spos->take_report();
  ASSERT_EQ(report.records.size(), 30u);
  std::map<std::string, int> origins;
  for (const spaces::Record& r : report.records) {
    EXPECT_EQ(r.table, "generations");
    const auto field = [&](const std::string& name) {
      return std::find_if(r.fields.begin(), r.fields.end(), [&](const auto& f) { return f.first == name; })->second;
    };
    const std::string origin = std::get<std::string>(field("origin"));
    ++origins[origin];
    const std::string parents = std::get<std::string>(field("parents"));
    EXPECT_EQ(parents.empty(), origin == "random") << origin << " with parents '" << parents << "'";
    if (origin == "crossover") {
      EXPECT_NE(parents.find(' '), std::string::npos);
    }
    EXPECT_EQ(std::get<double>(field("accuracy")), 0.5);  // the evaluator's metrics travel with it
  }
  EXPECT_EQ(origins["random"], 10 + 2 + 2);  // the first generation, then what breeding left
  EXPECT_EQ(origins["mutation"], 8);
  EXPECT_EQ(origins["crossover"], 8);
}

TEST(Spos, CandidatesBreakingTheConstraintsAreNeverProposed) {
  ToyCosts costs(false);
  auto spos = make_controller("spos(population=12,select=3,mutations=4,crossovers=4,generations=3)",
                              spaces::make_space(kSpace), 2);
  spos->use_cost_model(&costs);
  for (int batch = 0; batch < 6; ++batch) {
    std::vector<Feedback> feedback;
    for (const Proposal& p : spos->propose(6)) {
      EXPECT_NE(p.arch.tokens[0], 3);
      feedback.push_back({p.id, toy_fitness(p.arch) + (p.arch.tokens[0] == 2 ? 0 : 0.5), {}});
    }
    spos->observe(feedback);
  }
}

TEST(Spos, AConstraintNoCandidateMeetsIsAnErrorNotAnEndlessLoop) {
  ToyCosts costs(true);
  auto spos = make_controller("spos(population=4,select=2,mutations=1,crossovers=1)", spaces::make_space(kSpace), 0);
  spos->use_cost_model(&costs);
  try {
    spos->propose(4);
    FAIL() << "proposed under an impossible constraint";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("the cheapest drawn: macs 0"), std::string::npos) << e.what();
  }
}

TEST(Spos, TooManyChildrenForThePopulationAreRefused) {
  EXPECT_THROW(make_controller("spos(population=10,mutations=6,crossovers=6)", spaces::make_space(kSpace), 0),
               spaces::OptionError);
}

// Aging evolution: once the population is full, every child is one
// mutation (one layer changed) of a member of the newest `population`.
TEST(RegularizedEvolution, ChildrenAreOneMutationOfAMemberOfTheLivingPopulation) {
  const auto space = spaces::make_space(kSpace);
  auto evolution = make_controller("regularized_evolution(population=8,sample_size=3,cycles_per_epoch=8)", space, 4);
  std::vector<spaces::Arch> history;
  for (int update = 0; update < 8; ++update) {
    std::vector<Feedback> feedback;
    const std::vector<Proposal> proposals = evolution->propose(2);
    ASSERT_EQ(proposals.size(), 2u);
    for (const Proposal& p : proposals) {
      if (history.size() >= 8) {
        const std::vector<spaces::Arch> living(history.end() - 8, history.end());
        const bool child_of_living = std::any_of(living.begin(), living.end(), [&](const spaces::Arch& parent) {
          int changed = 0;
          for (std::size_t i = 0; i < parent.tokens.size(); ++i) changed += parent.tokens[i] != p.arch.tokens[i];
          return changed == 1;
        });
        EXPECT_TRUE(child_of_living) << space->to_string(p.arch);
      }
      feedback.push_back({p.id, toy_fitness(p.arch), {}});
    }
    for (const Proposal& p : proposals) history.push_back(p.arch);
    evolution->observe(feedback);
  }
}

TEST(RegularizedEvolution, ImprovesOnRandomSearchOfTheSameBudget) {
  const auto space = spaces::make_space(kSpace);
  auto evolution = make_controller("regularized_evolution(population=10,sample_size=4,cycles_per_epoch=60)", space, 5);
  auto random = make_controller("random", space, 5);
  const auto evolved = run(*evolution, 1, 60, 1);
  const auto drawn = run(*random, 1, 60, 1);
  const std::vector<double> last_evolved(evolved[0].end() - 20, evolved[0].end());
  const std::vector<double> last_drawn(drawn[0].end() - 20, drawn[0].end());
  EXPECT_GT(mean(last_evolved), mean(last_drawn) + 1.0);
}

// OFA's finder: after the random first generation, round(0.5 x 8) = 4
// mutations and 4 crossovers per generation, every parent among the top
// round(0.25 x 8) = 2 of everything evaluated before.
TEST(OfaEvolution, EachGenerationIsMutationsAndCrossoversOfTheTopQuarter) {
  const auto space = spaces::make_space(kSpace);
  auto ofa = make_controller("ofa_evolution(population=8,generations=4)", space, 6);
  std::vector<spaces::Record> records;
  std::vector<std::pair<std::int64_t, double>> scored;  // id, fitness, in order
  for (int generation = 0; generation < 4; ++generation) {
    const std::vector<Proposal> proposals = ofa->propose(8);
    ASSERT_EQ(proposals.size(), 8u);
    // The top 2 of everything before this generation.
    std::vector<std::pair<std::int64_t, double>> ranked = scored;
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::set<std::int64_t> top;
    for (std::size_t i = 0; i < std::min<std::size_t>(2, ranked.size()); ++i) top.insert(ranked[i].first);
    std::vector<Feedback> feedback;
    for (const Proposal& p : proposals) {
      feedback.push_back({p.id, toy_fitness(p.arch), {}});
      scored.emplace_back(p.id, toy_fitness(p.arch));
    }
    ofa->observe(feedback);
    std::map<std::string, int> origins;
    for (const spaces::Record& r : ofa->take_report().records) {
      const auto field = [&](const std::string& name) {
        return std::find_if(r.fields.begin(), r.fields.end(), [&](const auto& f) { return f.first == name; })->second;
      };
      const std::string origin = std::get<std::string>(field("origin"));
      ++origins[origin];
      std::istringstream parents(std::get<std::string>(field("parents")));
      for (std::int64_t parent = 0; parents >> parent;) EXPECT_TRUE(top.count(parent)) << "parent " << parent;
    }
    if (generation == 0) {
      EXPECT_EQ(origins["random"], 8);
    } else if (generation == 1) {  // later, two converged parents may have too few new crossovers, topped up at random
      EXPECT_EQ(origins["mutation"], 4);
      EXPECT_EQ(origins["crossover"], 4);
      EXPECT_EQ(origins["random"], 0);
    } else {
      EXPECT_LE(origins["mutation"], 4);
      EXPECT_LE(origins["crossover"], 4);
    }
  }
  EXPECT_TRUE(ofa->finished());
}

// Genetic CNN on 2 stages of 4 and 5 nodes (16 bits); fitness: the bits set.
const char* kGenet = "genet(stages=[4,5])";

double ones(const spaces::Arch& arch) {
  return static_cast<double>(std::count(arch.tokens.begin(), arch.tokens.end(), 1));
}

// Drives a strategy until it finishes (or `limit` candidates), `per_update`
// at a time; returns every candidate's fitness in order, and its records.
std::vector<double> run_to_the_end(Controller& controller, std::size_t limit, std::vector<spaces::Record>* records,
                                   double (*fitness)(const spaces::Arch&)) {
  std::vector<double> all;
  while (!controller.finished() && all.size() < limit) {
    std::vector<Feedback> feedback;
    for (const Proposal& p : controller.propose(static_cast<int>(std::min<std::size_t>(5, limit - all.size())))) {
      feedback.push_back({p.id, fitness(p.arch), {}});
      all.push_back(fitness(p.arch));
    }
    if (feedback.empty()) break;
    controller.observe(feedback);
    if (records != nullptr) {
      Report report = controller.take_report();
      records->insert(records->end(), report.records.begin(), report.records.end());
    }
  }
  return all;
}

// A cost model for genet: a genome with its first bit set breaks the constraint.
class FirstBitForbidden : public CostModel {
 public:
  Metrics costs(const spaces::Arch& arch) override { return {{"params", ones(arch)}, {"macs", ones(arch)}}; }
  std::string violation(const spaces::Arch& arch) override { return arch.tokens[0] == 1 ? "first bit set" : ""; }
  bool constrained() const override { return true; }
};

// No child outside the constraints is ever scored (its parent's genome
// takes its place), and an odd population (its last member unpaired)
// runs to the end.
TEST(GeneticCnn, ChildrenOutsideTheConstraintsAreNeverScoredAndAnOddPopulationRuns) {
  const auto space = spaces::make_space(kGenet);
  auto genetic = make_controller("genetic_cnn(population=7,generations=8,bit_flip_prob=0.3)", space, 9);
  FirstBitForbidden costs;
  genetic->use_cost_model(&costs);
  std::size_t scored = 0;
  while (!genetic->finished()) {
    std::vector<Feedback> feedback;
    for (const Proposal& p : genetic->propose(4)) {
      EXPECT_EQ(p.arch.tokens[0], 0) << space->to_string(p.arch);
      feedback.push_back({p.id, ones(p.arch), {}});
    }
    if (feedback.empty()) break;  // the last generations bred only architectures already scored
    scored += feedback.size();
    genetic->observe(feedback);
  }
  EXPECT_GT(scored, 7u);
  std::size_t rows = 0;
  for (const spaces::Record& r : genetic->take_report().records) rows += r.table == "population";
  EXPECT_EQ(rows, 8u);
}

TEST(GeneticCnn, ImprovesOnRandomSearchOfTheSameBudget) {
  const auto space = spaces::make_space(kGenet);
  auto genetic = make_controller("genetic_cnn(population=10,generations=12)", space, 2);
  const std::vector<double> evolved = run_to_the_end(*genetic, 1000, nullptr, ones);
  EXPECT_TRUE(genetic->finished());
  auto random = make_controller("random", space, 2);
  const std::vector<double> drawn = run_to_the_end(*random, evolved.size(), nullptr, ones);
  ASSERT_EQ(drawn.size(), evolved.size());
  // The last 20 scored against the last 20 drawn: selection has moved the population toward more edges.
  const std::vector<double> late_evolved(evolved.end() - 20, evolved.end()), late_drawn(drawn.end() - 20, drawn.end());
  EXPECT_GT(mean(late_evolved), mean(late_drawn) + 1.5);
}

// Only architectures never scored are proposed; the first generation is
// random, later candidates come from one parent (mutation) or two
// (crossover) that were scored; the run stops after its generations.
TEST(GeneticCnn, OnlyNewArchitecturesAreScoredEachWithItsParents) {
  const auto space = spaces::make_space(kGenet);
  auto genetic = make_controller("genetic_cnn(population=8,generations=6,crossover_prob=0.5)", space, 7);
  std::vector<spaces::Record> records;
  std::vector<spaces::Record> all_records;
  const std::vector<double> scored = run_to_the_end(*genetic, 1000, &all_records, ones);
  std::vector<spaces::Record> populations;
  for (spaces::Record& r : all_records) (r.table == "population" ? populations : records).push_back(std::move(r));
  ASSERT_EQ(records.size(), scored.size());
  // One row per generation, each of the whole population, survivors included.
  ASSERT_EQ(populations.size(), 6u);
  for (std::size_t g = 0; g < populations.size(); ++g) {
    const auto& fields = populations[g].fields;
    const auto field = [&](const std::string& name) {
      return std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == name; })->second;
    };
    EXPECT_EQ(std::get<std::int64_t>(field("generation")), static_cast<std::int64_t>(g));
    const std::string members = std::get<std::string>(field("members"));
    EXPECT_EQ(std::count(members.begin(), members.end(), ' '), 7) << members;
  }
  EXPECT_GT(scored.size(), 8u);
  EXPECT_LE(scored.size(), 8u * 6u);
  std::set<std::int64_t> ids;
  std::set<std::string> origins;
  std::int64_t last_generation = 0;
  for (const spaces::Record& r : records) {
    const auto field = [&](const std::string& name) {
      return std::find_if(r.fields.begin(), r.fields.end(), [&](const auto& f) { return f.first == name; })->second;
    };
    const auto generation = std::get<std::int64_t>(field("generation"));
    const auto origin = std::get<std::string>(field("origin"));
    const auto parents = std::get<std::string>(field("parents"));
    const auto id = std::get<std::int64_t>(field("id"));
    origins.insert(origin);
    EXPECT_EQ(origin == "random", generation == 0);
    const auto parent_count = parents.empty() ? 0 : std::count(parents.begin(), parents.end(), ' ') + 1;
    EXPECT_EQ(parent_count, origin == "random" ? 0 : origin == "mutation" ? 1 : 2) << origin << ": " << parents;
    std::istringstream list(parents);
    for (std::int64_t parent = 0; list >> parent;) EXPECT_TRUE(ids.count(parent)) << "parent " << parent;
    ids.insert(id);
    last_generation = std::max(last_generation, generation);
  }
  EXPECT_EQ(origins, (std::set<std::string>{"random", "mutation", "crossover"}));
  EXPECT_LE(last_generation, 5);
  EXPECT_TRUE(genetic->propose(5).empty());
  std::set<std::uint64_t> hashes;
  for (const spaces::Arch& arch : genetic->result()) EXPECT_TRUE(hashes.insert(space->canonical_hash(arch)).second);
  EXPECT_EQ(hashes.size(), scored.size());
}

}  // namespace
}  // namespace controllers
