#include "controllers/darts_controller.h"

#include <gtest/gtest.h>

#include "spaces/registry.h"

namespace controllers {
namespace {

// Per-edge weights [14, 8] for 4 nodes, ops in DARTS's PRIMITIVES order
// (none, max_pool, avg_pool, skip, sep3, sep5, dil3, dil5), all 0.1 but
// for the entries given: {edge, op, weight}.
torch::Tensor weights_with(const std::vector<std::tuple<int, int, double>>& entries) {
  torch::Tensor w = torch::full({14, 8}, 0.1, torch::kDouble);
  for (const auto& [edge, op, value] : entries) w[edge][op] = value;
  return w;
}

TEST(DartsController, DerivesTheGenotypeAsModelSearchPyDoes) {
  DartsController controller(spaces::make_space("darts"), DartsOptions(), 0);
  // Node 0 (edges 0, 1): input 1 by sep_conv_3x3 (0.5) beats input 0 by skip (0.3).
  // Node 1 (edges 2-4): 'none' is strongest on edge 4 (input 2) and does not
  // count; input 2's best other op (dil_conv_5x5, 0.4) still wins; input 0's
  // max_pool (0.35) second.
  // Node 2 (edges 5-8): all equal: the earlier edges (inputs 0 and 1) and their earliest op (max_pool).
  // Node 3 (edges 9-13): input 4 by avg_pool 0.9, input 3 by sep_conv_5x5 0.8.
  const torch::Tensor normal =
      weights_with({{0, 3, 0.3}, {1, 4, 0.5}, {2, 1, 0.35}, {4, 0, 0.95}, {4, 7, 0.4}, {12, 5, 0.8}, {13, 2, 0.9}});
  const torch::Tensor reduce = weights_with({});
  const spaces::Arch arch = controller.derive({normal, reduce});
  const auto space = spaces::make_space("darts");
  EXPECT_EQ(space->to_string(arch),
            "Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('dil_conv_5x5', 2), ('max_pool_3x3', 0), "
            "('max_pool_3x3', 0), ('max_pool_3x3', 1), ('avg_pool_3x3', 4), ('sep_conv_5x5', 3)], "
            "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
            "('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', "
            "1)], reduce_concat=[2, 3, 4, 5])");
  EXPECT_DOUBLE_EQ(controller.skip_connect_share(arch), 1.0 / 16.0);
  EXPECT_THROW(controller.derive({normal}), std::invalid_argument);
  EXPECT_THROW(controller.derive({normal, torch::full({13, 8}, 0.1)}), std::invalid_argument);
  EXPECT_THROW(controller.derive({normal, torch::full({14, 7}, 0.1)}), std::invalid_argument);
}

TEST(DartsController, AlphaStartsNearZeroAndMovesOnlyByItsOwnAdam) {
  DartsController controller(spaces::make_space("darts"), DartsOptions(), 5);
  const std::vector<torch::Tensor> alphas = controller.architecture_parameters();
  ASSERT_EQ(alphas.size(), 2u);
  for (const torch::Tensor& a : alphas) {
    EXPECT_EQ(a.sizes(), (std::vector<std::int64_t>{14, 8}));
    EXPECT_LT(a.abs().max().item<double>(), 1e-2);  // 1e-3 * randn
    EXPECT_GT(a.abs().max().item<double>(), 0.0);
  }
  const torch::Tensor before = alphas[0].detach().clone();
  const std::vector<torch::Tensor> ones = {torch::ones({14, 8}), torch::ones({14, 8})};
  const UpdateStats stats = controller.architecture_step(ones, 1.5);
  // Adam's first step moves every entry by lr (3e-4) against the gradient (the weight decay adds 1e-3 * α).
  const torch::Tensor moved = before - controller.architecture_parameters()[0].detach();
  EXPECT_NEAR(moved.min().item<double>(), 3e-4, 1e-6);
  EXPECT_NEAR(moved.max().item<double>(), 3e-4, 1e-6);
  EXPECT_DOUBLE_EQ(stats.loss, 1.5);
  EXPECT_NEAR(stats.entropy, std::log(8.0), 1e-3);  // near-uniform weights
  EXPECT_THROW(controller.architecture_step({ones[0]}, 0.0), std::invalid_argument);
}

TEST(DartsController, EachEvaluationReportsAlphaAndTheGenotype) {
  const auto space = spaces::make_space("darts");
  DartsController controller(space, DartsOptions(), 1);
  const std::vector<Proposal> proposals = controller.propose(10);
  ASSERT_EQ(proposals.size(), 1u);  // the one derived genotype
  EXPECT_EQ(proposals.front().arch, controller.derive());
  EXPECT_EQ(controller.result(), std::vector<spaces::Arch>{controller.derive()});
  controller.observe({{proposals.front().id, 0.5, {{"accuracy", 0.5}}}});
  const Report report = controller.take_report();
  ASSERT_EQ(report.records.size(), 1u);
  const spaces::Record& row = report.records.front();
  EXPECT_EQ(row.table, "alpha");
  ASSERT_EQ(row.fields.size(), 4u);
  const auto& normal = std::get<spaces::NumberArray>(row.fields[0].second);
  EXPECT_EQ(normal.shape, (std::vector<std::int64_t>{14, 8}));
  for (int edge = 0; edge < 14; ++edge) {
    double sum = 0;
    for (int op = 0; op < 8; ++op) sum += normal.values[static_cast<std::size_t>(edge * 8 + op)];
    EXPECT_NEAR(sum, 1.0, 1e-6);  // softmax per edge
  }
  EXPECT_EQ(std::get<std::string>(row.fields[2].second), space->to_string(controller.derive()));
  EXPECT_TRUE(controller.take_report().records.empty());  // taken once
}

TEST(DartsController, WarmupEpochsHaveNoArchitectureSteps) {
  const auto steps_in = [](const std::vector<Phase>& phases) {
    const auto* train = std::get_if<TrainWeightsPhase>(&phases.front());
    EXPECT_NE(train, nullptr);
    EXPECT_EQ(train->paths, PathSource::kMixed);
    return train->architecture_steps;
  };
  DartsController darts(spaces::make_space("darts"), DartsOptions(), 0);
  EXPECT_TRUE(steps_in(darts.phases(0)));  // DARTS: α steps from the first batch
  DartsController warm(spaces::make_space("darts"), DartsOptions().warmup_epochs(2), 0);
  EXPECT_FALSE(steps_in(warm.phases(0)));
  EXPECT_FALSE(steps_in(warm.phases(1)));
  EXPECT_TRUE(steps_in(warm.phases(2)));
  EXPECT_TRUE(steps_in(warm.phases(7)));
}

TEST(DartsController, TheRelaxationHasNoneFirstWhateverTheSpacesOps) {
  for (const char* spec : {"darts", "darts(allow_none=true)", "darts(nodes=3)"}) {
    DartsController controller(spaces::make_space(spec), DartsOptions(), 0);
    EXPECT_EQ(controller.candidate_ops().front(), "none") << spec;
    EXPECT_EQ(controller.candidate_ops().size(), 8u) << spec;
    EXPECT_TRUE(spaces::make_space(spec)->is_valid(controller.derive())) << spec;
  }
  EXPECT_EQ(DartsController(spaces::make_space("darts(nodes=3)"), DartsOptions(), 0).edge_weights()[0].size(0), 9);
}

}  // namespace
}  // namespace controllers
