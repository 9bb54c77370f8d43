// The Controller contract, checked for every registered controller on every
// space it searches (OpenSpiel's basic tests, for strategies): proposals
// and samples are valid architectures of the space, unknown and repeated
// ids are refused, the capability record agrees with what the controller
// does, spaces it does not search are refused, state round-trips, a broken
// state is refused, and a controller resumed from a saved state proposes,
// learns and reports exactly what the uninterrupted one does.

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "controllers/controller.h"
#include "controllers/pareto.h"
#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

// Options that keep each controller fast here; a controller registered
// without a row fails EveryRegisteredControllerIsCovered.
const std::map<std::string, std::string>& fast_specs() {
  static const std::map<std::string, std::string> specs = {
      {"bayes_opt", "bayes_opt(warmup=4,pool_size=200,restarts=1)"},
      {"darts", "darts"},
      {"dynas", "dynas(population=8,num_evals=24,inner_evals=80)"},
      {"enas", "enas(lstm_size=16)"},
      {"fbnet", "fbnet(samples=2)"},
      {"genetic_cnn", "genetic_cnn(population=6,generations=3)"},
      {"grid", "grid"},
      {"mcts", "mcts"},
      {"ofa_evolution", "ofa_evolution(population=6,generations=3)"},
      {"nao",
       "nao(seed_archs=12,cycles=2,top_k=4,new_archs=4,random_archs=2,max_step_size=4,epochs=2,batch_size=8,"
       "embedding=8,hidden=16,mlp_hidden=8)"},
      {"pnas", "pnas(beam=4,surrogate_epochs=2,predictors=2,hidden=16,embedding=16)"},
      {"random", "random"},
      {"regularized_evolution", "regularized_evolution(population=4,sample_size=2,cycles_per_epoch=6)"},
      {"spos", "spos(population=6,select=2,mutations=2,crossovers=2,generations=3)"},
  };
  return specs;
}

// The smallest variant of each registered space.
std::string small_space(const std::string& name) {
  static const std::map<std::string, std::string> small = {
      {"darts", "darts(nodes=2)"},
      {"enas_macro", "enas_macro(layers=4)"},
      {"enas_micro", "enas_micro(nodes=2)"},
      {"fbnet", "fbnet(stage_channels=[4,8],stage_repeats=[1,2],stage_strides=[1,2],stem_channels=4)"},
      {"genet", "genet(stages=[3,4])"},
      {"hyper_cnn", "hyper_cnn(blocks=[2,3],repeats=[3,4])"},
      {"hyper_dnn", "hyper_dnn(layers=[2,3])"},
      {"hyper_enas_micro", "hyper_enas_micro(arch=NR,nodes=2)"},
      {"nao", "nao(nodes=2)"},
      {"pnas", "pnas(blocks=2)"},
      {"spos", "spos(stage_repeats=[1,2],stage_channels=[8,16],stem_channels=4)"}};
  const auto it = small.find(name);
  return it == small.end() ? name : it->second;
}

struct Case {
  std::string controller, space;
};

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (const std::string& name : controller_registry().names()) {
    const Capabilities& capabilities = controller_registry().find(name).info;
    for (const std::string& space : spaces::space_registry().names()) {
      if (capabilities.accepts_space(space)) cases.push_back({name, small_space(space)});
    }
  }
  return cases;
}

std::string case_name(const testing::TestParamInfo<Case>& info) {
  std::string name = info.param.controller + "_on_" + info.param.space;
  for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

std::unique_ptr<Controller> make(const Case& c, std::uint64_t seed) {
  const auto spec = fast_specs().find(c.controller);
  return make_controller(spec == fast_specs().end() ? c.controller : spec->second, spaces::make_space(c.space), seed);
}

// A reward every strategy can learn something from: a function of the tokens.
double synthetic_reward(const spaces::Arch& arch) {
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < arch.tokens.size(); ++i) sum += arch.tokens[i] * static_cast<std::int64_t>(i % 3 + 1);
  return double(sum % 11) / 10.0;
}

// The feedback the core would give `controller` for `arch`: a metric for
// each objective of its capability record (accuracy the synthetic reward,
// any other a second function of the tokens), and the objectives oriented
// lower-is-better.
Feedback synthetic_feedback(const std::string& controller, std::int64_t id, const spaces::Arch& arch) {
  Feedback f{id, synthetic_reward(arch), {}};
  for (const std::string& objective : controller_registry().find(controller).info.objectives) {
    std::int64_t sum = 0;
    for (std::int64_t t : arch.tokens) sum += t;
    const double value = objective == "accuracy" ? f.reward : double(sum % 7 + 1);
    f.metrics[objective] = value;
    f.objectives.push_back(objective_value(objective, value));
  }
  return f;
}

bool same_number(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// What one round of driving a controller produced, for comparing two controllers.
struct Round {
  std::vector<std::pair<std::int64_t, spaces::Arch>> proposals;
  UpdateStats stats, architecture_stats;
  std::size_t records = 0;
  std::vector<std::string> log;
};

// One round: (a differentiable controller: an architecture step on a
// synthetic gradient, then) propose 3, observe synthetic rewards, take the report.
Round drive_round(Controller& controller, int round) {
  Round r;
  if (DifferentiableController* role = controller.differentiable()) {
    const std::vector<torch::Tensor> weights = role->edge_weights();
    torch::Tensor objective = torch::zeros({});
    for (std::size_t t = 0; t < weights.size(); ++t) {
      const torch::Tensor target = torch::arange(weights[t].numel(), torch::kFloat).view(weights[t].sizes());
      objective = objective + (weights[t] * torch::sin(target * double(t + 1) + round)).sum();
    }
    r.architecture_stats = role->architecture_step(torch::autograd::grad({objective}, role->architecture_parameters()),
                                                   objective.item<double>());
  }
  for (const Proposal& p : controller.propose(3)) r.proposals.emplace_back(p.id, p.arch);
  std::vector<Feedback> feedback;
  for (const auto& [id, arch] : r.proposals) feedback.push_back(synthetic_feedback(controller.name(), id, arch));
  if (!feedback.empty()) r.stats = controller.observe(feedback);
  Report report = controller.take_report();
  r.records = report.records.size();
  r.log = report.log;
  return r;
}

void expect_same_stats(const UpdateStats& a, const UpdateStats& b, const std::string& where) {
  EXPECT_TRUE(same_number(a.loss, b.loss)) << where << ": loss " << a.loss << " vs " << b.loss;
  EXPECT_TRUE(same_number(a.mean_reward, b.mean_reward)) << where;
  EXPECT_TRUE(same_number(a.baseline, b.baseline)) << where;
  EXPECT_TRUE(same_number(a.entropy, b.entropy)) << where;
  EXPECT_EQ(a.count, b.count) << where;
}

void expect_same_state(const StateDict& a, const StateDict& b) {
  ASSERT_EQ(a.scalars.size(), b.scalars.size());
  for (const auto& [key, value] : a.scalars) EXPECT_TRUE(same_number(value, b.scalars.at(key))) << key;
  EXPECT_EQ(a.texts, b.texts);
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (const auto& [key, tensor] : a.tensors) {
    ASSERT_TRUE(b.tensors.count(key)) << key;
    EXPECT_TRUE(torch::equal(tensor, b.tensors.at(key))) << key;
  }
}

class ControllerConformance : public testing::TestWithParam<Case> {};

TEST(ControllerConformanceSuite, EveryRegisteredControllerIsCovered) {
  for (const std::string& name : controller_registry().names()) {
    EXPECT_TRUE(fast_specs().count(name)) << "controller '" << name << "' has no row in fast_specs()";
    EXPECT_FALSE(controller_registry().find(name).info.spaces.empty()) << name << " searches no space";
    EXPECT_FALSE(controller_registry().find(name).info.objectives.empty()) << name << " learns from nothing";
  }
  EXPECT_GE(all_cases().size(), 10u);
}

TEST_P(ControllerConformance, ProposalsAndSamplesAreValidArchitecturesOfTheSpace) {
  const auto space = spaces::make_space(GetParam().space);
  auto controller = make(GetParam(), 3);
  std::set<std::int64_t> ids;
  for (int round = 0; round < 3; ++round) {
    const auto proposals = controller->propose(4);
    ASSERT_FALSE(proposals.empty());
    ASSERT_LE(proposals.size(), 4u);
    std::vector<Feedback> feedback;
    for (const Proposal& p : proposals) {
      EXPECT_TRUE(ids.insert(p.id).second) << "id " << p.id << " proposed twice";
      const auto of = spaces::make_space(p.arch.space);
      EXPECT_EQ(of->name(), space->name()) << p.arch.space;
      EXPECT_TRUE(of->is_valid(p.arch)) << spaces::join_tokens(p.arch.tokens);
      feedback.push_back(synthetic_feedback(GetParam().controller, p.id, p.arch));
    }
    controller->observe(feedback);
    controller->take_report();
  }
  for (const spaces::Arch& arch : controller->sample(20)) {
    EXPECT_TRUE(spaces::make_space(arch.space)->is_valid(arch)) << spaces::join_tokens(arch.tokens);
  }
}

TEST_P(ControllerConformance, UnknownAndRepeatedIdsAreRefused) {
  auto controller = make(GetParam(), 4);
  const auto proposals = controller->propose(2);
  ASSERT_FALSE(proposals.empty());
  EXPECT_THROW(controller->observe({{proposals.back().id + 1000, 0.5, {}}}), std::invalid_argument);
  EXPECT_THROW(controller->observe({{-1, 0.5, {}}}), std::invalid_argument);
  // And an id observed already.
  const Feedback first = synthetic_feedback(GetParam().controller, proposals.front().id, proposals.front().arch);
  controller->observe({first});
  EXPECT_THROW(controller->observe({first}), std::invalid_argument);
}

TEST_P(ControllerConformance, TheCapabilityRecordAgreesWithTheController) {
  const Capabilities& capabilities = controller_registry().find(GetParam().controller).info;
  auto controller = make(GetParam(), 5);
  EXPECT_EQ(controller->name(), GetParam().controller);
  EXPECT_EQ(controller->differentiable() != nullptr, capabilities.differentiable);
  EXPECT_EQ(controller->epochs_to_finish().has_value(), capabilities.staged);
  const std::vector<Phase> phases = controller->phases(0);
  ASSERT_FALSE(phases.empty());
  bool evaluates = false, mixed = false;
  for (const Phase& phase : phases) {
    evaluates = evaluates || std::holds_alternative<EvaluatePhase>(phase);
    if (const auto* train = std::get_if<TrainWeightsPhase>(&phase)) {
      mixed = mixed || train->paths == PathSource::kMixed;
      EXPECT_TRUE(!train->architecture_steps || capabilities.differentiable);
    }
  }
  EXPECT_TRUE(evaluates) << "a schedule without an evaluate phase never learns";
  EXPECT_EQ(mixed, capabilities.differentiable);
  if (capabilities.differentiable) {
    DifferentiableController& role = *controller->differentiable();
    const auto weights = role.edge_weights();
    ASSERT_EQ(weights.size(), role.architecture_parameters().size());
    for (const torch::Tensor& w : weights) {
      EXPECT_EQ(w.size(-1), static_cast<std::int64_t>(role.candidate_ops().size()));
      EXPECT_TRUE(w.requires_grad());
    }
  }
}

TEST_P(ControllerConformance, SpacesOutsideTheCapabilityRecordAreRefused) {
  const Capabilities& capabilities = controller_registry().find(GetParam().controller).info;
  for (const std::string& space : spaces::space_registry().names()) {
    if (capabilities.accepts_space(space)) continue;
    EXPECT_THROW(make_controller(GetParam().controller, spaces::make_space(small_space(space)), 0), spaces::OptionError)
        << GetParam().controller << " on " << space;
  }
}

TEST_P(ControllerConformance, StateRoundTripsAndABrokenStateIsRefused) {
  auto original = make(GetParam(), 6);
  drive_round(*original, 0);
  drive_round(*original, 1);
  const StateDict saved = original->state();
  auto copy = make(GetParam(), 600);
  copy->load_state(saved);
  expect_same_state(copy->state(), saved);
  // Each kind of field is required: drop one of each and loading fails.
  if (!saved.tensors.empty()) {
    StateDict broken = saved;
    broken.tensors.erase(broken.tensors.begin());
    EXPECT_THROW(copy->load_state(broken), std::invalid_argument);
  }
  if (!saved.scalars.empty()) {
    StateDict broken = saved;
    broken.scalars.erase(broken.scalars.begin());
    EXPECT_THROW(copy->load_state(broken), std::invalid_argument);
  }
  if (!saved.texts.empty()) {
    StateDict broken = saved;
    broken.texts.erase(broken.texts.begin());
    EXPECT_THROW(copy->load_state(broken), std::invalid_argument);
  }
  EXPECT_THROW(copy->load_state(StateDict{}), std::invalid_argument);
}

TEST_P(ControllerConformance, AResumedControllerDoesWhatTheUninterruptedOneDoes) {
  auto whole = make(GetParam(), 7), first = make(GetParam(), 7);
  const int split = 3, rounds = 8;
  for (int round = 0; round < split; ++round) {
    drive_round(*whole, round);
    drive_round(*first, round);
  }
  auto resumed = make(GetParam(), 777);
  resumed->load_state(first->state());
  for (int round = split; round < rounds && !whole->finished(); ++round) {
    const Round a = drive_round(*whole, round), b = drive_round(*resumed, round);
    const std::string where = "round " + std::to_string(round);
    ASSERT_EQ(a.proposals, b.proposals) << where;
    expect_same_stats(a.stats, b.stats, where);
    expect_same_stats(a.architecture_stats, b.architecture_stats, where);
    EXPECT_EQ(a.records, b.records) << where;
    EXPECT_EQ(a.log, b.log) << where;
    EXPECT_EQ(whole->finished(), resumed->finished()) << where;
  }
  EXPECT_EQ(whole->result(), resumed->result());
}

INSTANTIATE_TEST_SUITE_P(EveryRegisteredController, ControllerConformance, testing::ValuesIn(all_cases()), case_name);

}  // namespace
}  // namespace controllers
