#include "controllers/nsga2.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

// Two conflicting objectives of the tokens (each in 0..3): the sum, and
// the distance from all-3 plus a penalty of 3 per token equal to 1, so a
// front holds no 1s and trades 0s against 3s.
std::vector<ObjectiveVector> toy_objectives(const std::vector<spaces::Arch>& archs) {
  std::vector<ObjectiveVector> values;
  for (const spaces::Arch& a : archs) {
    double sum = 0, distance = 0;
    for (std::int64_t t : a.tokens) {
      sum += double(t);
      distance += double(3 - t) + (t == 1 ? 3.0 : 0.0);
    }
    values.push_back({sum, distance});
  }
  return values;
}

double population_hypervolume(const std::vector<spaces::Arch>& archs) {
  return hypervolume(toy_objectives(archs), {31.0, 61.0});
}

TEST(Nsga2, EvolvesAPopulationOfValidArchitecturesWithALargerHypervolume) {
  const auto space = spaces::make_space("spos(stage_repeats=[2,2,4,2])");
  spaces::Rng rng(1);
  std::vector<spaces::Arch> initial;
  for (int i = 0; i < 16; ++i) initial.push_back(space->random(rng));
  const auto result = run_nsga2(*space, toy_objectives, initial, {.population = 16, .generations = 40}, rng);
  ASSERT_EQ(result.size(), 16u);
  for (const spaces::Arch& a : result) EXPECT_TRUE(space->is_valid(a)) << spaces::join_tokens(a.tokens);
  EXPECT_GT(population_hypervolume(result), population_hypervolume(initial) * 1.05);
  // Forty generations leave no 1 in the non-dominated part of the population.
  const std::vector<ObjectiveVector> values = toy_objectives(result);
  for (std::size_t i : non_dominated(values)) {
    for (std::int64_t t : result[i].tokens) EXPECT_NE(t, 1) << spaces::join_tokens(result[i].tokens);
  }
}

// Three objectives (the two above and the count of 2s): pagmo's NSGA-II
// takes any number; the 3-D hypervolume of the population grows.
TEST(Nsga2, EvolvesThreeObjectivesAsWellAsTwo) {
  const auto three = [](const std::vector<spaces::Arch>& archs) {
    std::vector<ObjectiveVector> values = toy_objectives(archs);
    for (std::size_t i = 0; i < archs.size(); ++i) {
      values[i].push_back(double(std::count(archs[i].tokens.begin(), archs[i].tokens.end(), 2)));
    }
    return values;
  };
  const auto space = spaces::make_space("spos(stage_repeats=[2,2,4,2])");
  spaces::Rng rng(2);
  std::vector<spaces::Arch> initial;
  for (int i = 0; i < 16; ++i) initial.push_back(space->random(rng));
  const auto result = run_nsga2(*space, three, initial, {.population = 16, .generations = 40}, rng);
  ASSERT_EQ(result.size(), 16u);
  for (const spaces::Arch& a : result) EXPECT_TRUE(space->is_valid(a)) << spaces::join_tokens(a.tokens);
  const ObjectiveVector reference = {31.0, 61.0, 11.0};
  EXPECT_GT(hypervolume(three(result), reference), hypervolume(three(initial), reference) * 1.05);
}

TEST(Nsga2, TheSameGeneratorStateGivesTheSamePopulation) {
  const auto space = spaces::make_space("spos(stage_repeats=[2,2],stage_channels=[32,64])");
  spaces::Rng a(7), b(7);
  const Nsga2Options options{.population = 8, .generations = 5};
  EXPECT_EQ(run_nsga2(*space, toy_objectives, {}, options, a), run_nsga2(*space, toy_objectives, {}, options, b));
  EXPECT_EQ(a, b);  // and both generators advanced alike
}

TEST(Nsga2, GenesBecomeLegalArchitecturesInSpacesWithPrefixRules) {
  // DARTS's input indices depend on the node: every gene vector still maps to a valid cell.
  const auto space = spaces::make_space("darts(nodes=2)");
  spaces::Rng rng(3);
  const auto result = run_nsga2(*space, toy_objectives, {}, {.population = 8, .generations = 3}, rng);
  for (const spaces::Arch& a : result) EXPECT_TRUE(space->is_valid(a)) << spaces::join_tokens(a.tokens);
}

TEST(Nsga2, GenesAndArchitecturesConvertBothWaysUnderPrefixRules) {
  for (const char* spec : {"darts(nodes=3)", "enas_micro(nodes=3)", "spos(stage_repeats=[2,2],stage_channels=[32,64])",
                           "genet(stages=[3,4])"}) {
    const auto space = spaces::make_space(spec);
    spaces::Rng rng(5);
    for (int i = 0; i < 50; ++i) {
      const spaces::Arch arch = space->random(rng);
      EXPECT_EQ(from_genes(*space, to_genes(*space, arch)), arch) << spec << ": " << spaces::join_tokens(arch.tokens);
    }
  }
}

TEST(Nsga2, RefusesWhatPagmoCannotRun) {
  const auto space = spaces::make_space("spos(stage_repeats=[2,2],stage_channels=[32,64])");
  spaces::Rng rng(1);
  EXPECT_THROW(run_nsga2(*space, toy_objectives, {}, {.population = 50}, rng), std::invalid_argument);  // not 4k
  EXPECT_THROW(run_nsga2(*space, toy_objectives, {}, {.population = 4}, rng), std::invalid_argument);
  EXPECT_THROW(run_nsga2(*space, toy_objectives, {}, {.population = 8, .generations = 0}, rng), std::invalid_argument);
  EXPECT_THROW(run_nsga2(*space, toy_objectives, {}, {.population = 8, .mutation_prob = 1.5}, rng),
               std::invalid_argument);
  const BatchObjectives one = [](const std::vector<spaces::Arch>& archs) {
    return std::vector<ObjectiveVector>(archs.size(), ObjectiveVector{1.0});
  };
  EXPECT_THROW(run_nsga2(*space, one, {}, {.population = 8}, rng), std::invalid_argument);
  const auto other = spaces::make_space("genet(stages=[3,4])");
  EXPECT_THROW(run_nsga2(*space, toy_objectives, {other->random(rng)}, {.population = 8}, rng), spaces::ArchError);
}

}  // namespace
}  // namespace controllers
