#include "childnets/child_network.h"

#include <gtest/gtest.h>

#include "childnets/training.h"
#include "spaces/presets.h"
#include "spaces/registry.h"
#include "tests/childnets/small_network.h"

namespace childnets {
namespace {

const std::vector<std::string> kSpaces = {
    "enas_micro",     "enas_macro(layers=6)",
    "nao(ops=nao16)", "nao(ops=epd)",
    "pnas",           "darts",
    "genet",          "spos(stage_repeats=[1,2],stage_channels=[8,16],stem_channels=4,channel_search=true)"};

TEST(ChildNetwork, OutputShapeIsRightForRandomArchitecturesOfEverySpace) {
  torch::manual_seed(0);
  for (const auto& spec : kSpaces) {
    const auto space = spaces::make_space(spec);
    for (bool factorized : {false, true}) {
      const NetworkOptions options = testing::small_network().factorized_reductions(factorized).auxiliary(true);
      ChildNetwork network(space, options, make_shared_store(space, options));
      spaces::Rng rng(7);
      for (int i = 0; i < 3; ++i) {
        const ChildOutput out = network->forward(torch::randn({2, 1, 8, 8}), space->decode(space->random(rng)));
        EXPECT_EQ(out.logits.sizes(), (std::vector<std::int64_t>{2, 3})) << spec;
        EXPECT_TRUE(torch::isfinite(out.logits).all().item<bool>()) << spec;
      }
    }
  }
}

TEST(ChildNetwork, GradientsReachOnlyTheSampledPath) {
  const auto space = spaces::make_space("enas_micro(nodes=2)");
  ParameterStore store = make_shared_store(space, testing::small_network());
  ChildNetwork network(space, testing::small_network(), store);
  // node 2 = sep_conv_3x3(in0) + sep_conv_5x5(in1); node 3 = max_pool(node 2) + sep_conv_3x3(in0)
  const auto graph = space->decode(space->parse("0 0 1 1 2 3 0 0  0 0 1 1 2 3 0 0"));
  zero_grad_set_to_none(*store);
  torch::nn::functional::cross_entropy(network->forward(torch::randn({4, 1, 8, 8}), graph).logits,
                                       torch::tensor({0, 1, 2, 0}))
      .backward();
  std::set<std::string> touched;
  for (const auto& item : store->named_parameters()) {
    if (item.value().grad().defined() && item.value().grad().abs().sum().item<double>() > 0) {
      touched.insert(item.key().substr(0, item.key().find('.')));
    }
  }
  std::set<std::string> first_cell;
  for (const auto& key : touched) {
    if (key.rfind("c0-", 0) == 0) first_cell.insert(key);
  }
  // Exactly the path: the calibrations, the three weighted edges, the
  // projection slice of the one loose end (node 3) and its BN.
  const std::set<std::string> expected = {
      "c0-pre0",    "c0-pre1",   "c0-n2-s0-i0-sep_conv_3x3", "c0-n2-s1-i1-sep_conv_5x5", "c0-n3-s1-i0-sep_conv_3x3",
      "c0-proj-v3", "c0-proj_bn"};
  EXPECT_EQ(first_cell, expected);
  EXPECT_TRUE(touched.count("stem"));
  EXPECT_TRUE(touched.count("classifier"));
}

// The largest logit difference, on a random batch in eval mode, between
// `shared` running `arch` (of `space`) and arch's standalone network holding
// the store's weights.
float standalone_difference(ChildNetwork& shared, ParameterStoreImpl& store, const spaces::SpacePtr& space,
                            const NetworkOptions& options, const spaces::Arch& arch, std::int64_t batch) {
  auto standalone = ChildNetworkImpl::standalone(space, options, arch);
  standalone->store()->copy_matching_from(store);
  shared->eval();
  standalone->eval();
  const torch::Tensor x = torch::randn({batch, 1, 8, 8});
  return (shared->forward(x, space->decode(arch)).logits - standalone->forward(x).logits).abs().max().item<float>();
}

TEST(ChildNetwork, SharedAndStandaloneComputeTheSameFunction) {
  torch::manual_seed(2);
  for (const auto& spec : kSpaces) {
    const auto space = spaces::make_space(spec);
    const NetworkOptions options = testing::small_network();
    ParameterStore store = make_shared_store(space, options);
    ChildNetwork shared(space, options, store);
    spaces::Rng rng(11);
    const spaces::Arch arch = space->random(rng);
    EXPECT_LT(ChildNetworkImpl::standalone(space, options, arch)->store()->num_parameters(), store->num_parameters())
        << spec;
    EXPECT_LT(standalone_difference(shared, *store, space, options, arch, 3), 1e-5) << spec;
  }
}

TEST(ChildNetwork, ParameterCountMatchesAHandCount) {
  const auto space = spaces::make_space("enas_micro(nodes=1)");
  // N R N R N, C = 4, 8, 8, 16, 16; stem 1 -> 12. Normal: node 2 = sep_conv_3x3(in0) + identity(in1);
  // reduction: node 2 = max_pool(in0) + identity(in1) at stride 2.
  const spaces::Arch arch = space->parse("0 0 1 4  0 3 1 4");
  const NetworkOptions options = testing::small_network();
  auto bn = [](std::int64_t c) { return 2 * c; };
  auto relu_conv_bn = [&](std::int64_t in, std::int64_t out) { return in * out + bn(out); };
  auto reduce = [&](std::int64_t in, std::int64_t out) { return 2 * in * (out / 2) + bn(out); };
  auto sep3 = [&](std::int64_t c) { return 2 * (c * 9 + c * c + bn(c)); };
  auto projection = [&](std::int64_t c, std::int64_t parts) { return parts * c * c + bn(c); };
  std::int64_t expected = 1 * 12 * 9 + bn(12);                                             // stem
  expected += relu_conv_bn(12, 4) * 2 + sep3(4) + projection(4, 1);                        // c0: only node 2 is loose
  expected += relu_conv_bn(12, 8) + relu_conv_bn(4, 8) + reduce(8, 8) + projection(8, 1);  // c1: identity stride 2
  expected += reduce(4, 8) + sep3(8) + projection(8, 1);                                   // c2: in0 from c0 at 2x
  expected += relu_conv_bn(8, 16) * 2 + reduce(16, 16) + projection(16, 1);                // c3
  expected += reduce(8, 16) + sep3(16) + projection(16, 1);                                // c4
  expected += 16 * 3 + 3;                                                                  // classifier
  EXPECT_EQ(measure_network(space, options, arch).parameters, expected);
}

// The parameters of ENAS's fixed-arc network (micro_child.py, with_aux:
// and its auxiliary head), walked from ENAS's code over the architecture's
// cells: stem conv 3x3 + BN; per cell, input 0 calibrated by a factorized
// reduction (at twice the resolution) or ReLU-1x1-BN (another width),
// input 1 by ReLU-1x1-BN (another width), then layer_base (ReLU-1x1-BN
// C->C); two ReLU-sepconv-BN per separable op, none for pools, a
// factorized reduction for a stride-2 identity and for a loose input of a
// reduction cell; the output the loose ends' concat, L*C; a bias-free
// classifier; the aux head after the first normal cell past the second
// reduction: conv 1x1 -> 128 + BN, conv 2x2 -> 768 + BN, bias-free linear.
std::int64_t enas_fixed_arc_parameters(const spaces::ArchGraph& arch, const NetworkOptions& o, bool with_aux) {
  const auto bn = [](std::int64_t c) { return 2 * c; };
  const auto conv1x1_bn = [&](std::int64_t in, std::int64_t out) { return in * out + bn(out); };
  const std::int64_t n = o.cells_per_stage();
  std::int64_t c = o.channels(), size = o.image_size();
  std::int64_t total = o.input_channels() * o.stem_multiplier() * c * 9 + bn(o.stem_multiplier() * c);
  std::int64_t c0 = o.stem_multiplier() * c, c1 = c0, size0 = size, size1 = size, aux_width = 0;
  for (std::int64_t layer = 0; layer < 3 * n + 2; ++layer) {
    const bool reduction = layer == n || layer == 2 * n + 1;
    if (reduction) {
      c *= 2;
      size /= 2;
    }
    const spaces::CellGraph& graph = arch.cells.at(reduction && arch.cells.size() == 2 ? 1 : 0);
    total += size0 != size1 ? conv1x1_bn(c0, c) : (c0 != c ? conv1x1_bn(c0, c) : 0);
    total += c1 != c ? conv1x1_bn(c1, c) : 0;
    total += conv1x1_bn(c, c);  // layer_base
    for (auto [it, end] = boost::edges(graph); it != end; ++it) {
      const auto from = boost::source(*it, graph);
      const std::string& op = graph[*it].op_name;
      if (boost::target(*it, graph) == spaces::output_vertex(graph)) {
        if (reduction && from < 2) total += conv1x1_bn(c, c);  // a loose input, reduced
        continue;
      }
      if (op.rfind("sep_conv_", 0) == 0) {
        const std::int64_t k = op == "sep_conv_3x3" ? 3 : 5;
        total += 2 * (k * k * c + c * c + bn(c));
      } else if (op == "identity" && reduction && from < 2) {
        total += conv1x1_bn(c, c);
      }
    }
    const auto loose = static_cast<std::int64_t>(spaces::inputs_by_slot(graph, spaces::output_vertex(graph)).size());
    c0 = c1;
    size0 = size1;
    c1 = loose * c;
    size1 = size;
    if (layer == 2 * n + 2) aux_width = c1;
  }
  total += c1 * o.num_classes();
  if (with_aux) total += conv1x1_bn(aux_width, 128) + 2 * 2 * 128 * 768 + bn(768) + 768 * o.num_classes();
  return total;
}

// The published ENAS micro and NAO-WS final cells at their CIFAR-10 final
// settings (36 channels, N = 5) count what that walk of ENAS's code counts,
// with and without the auxiliary head; the search-time form counts less.
TEST(ChildNetwork, TheFixedArcFormCountsWhatEnasCodeBuilds) {
  const NetworkOptions options =
      NetworkOptions().input_channels(3).image_size(32).num_classes(10).channels(36).cells_per_stage(5).auxiliary(true);
  for (const char* name : {"enas_micro_final", "nao_ws_final"}) {
    const spaces::ArchPreset& preset = *spaces::find_arch_preset(name);
    const auto space = spaces::make_space(preset.space);
    const spaces::Arch arch = space->parse(preset.text);
    const NetworkCost fixed = measure_network(space, NetworkOptions(options).fixed_arc_form(true), arch);
    EXPECT_EQ(fixed.parameters, enas_fixed_arc_parameters(space->decode(arch), options, false)) << name;
    EXPECT_EQ(fixed.parameters_with_aux, enas_fixed_arc_parameters(space->decode(arch), options, true)) << name;
    EXPECT_LT(measure_network(space, options, arch).parameters, fixed.parameters) << name;
  }
}

// The parameters of ENAS's fixed-arc macro network (general_child.py),
// walked from ENAS's code over the architecture's layers: stem conv 3x3 +
// BN; per layer ReLU-1x1-BN and ReLU-kxk-BN (k 3 for ops 0 and 1, 5 for 2
// and 3), and after the first a ReLU-1x1-BN from (skips + 1) * C; after
// layers L/3-1 and 2L/3-1 a factorized reduction C -> 2C of the stem and
// every layer so far; a bias-free classifier.
std::int64_t enas_fixed_arc_macro_parameters(const spaces::CellGraph& graph, const NetworkOptions& o, int layers) {
  const auto bn = [](std::int64_t c) { return 2 * c; };
  std::int64_t c = o.channels();
  std::int64_t total = o.input_channels() * c * 9 + bn(c);
  for (int layer = 0; layer < layers; ++layer) {
    std::int64_t skips = 0, kernel = 0;
    for (const auto& e : spaces::inputs_by_slot(graph, static_cast<spaces::Vertex>(layer + 1))) {
      if (graph[e].op < 0)
        ++skips;
      else
        kernel = graph[e].op < 2 ? 3 : 5;
    }
    total += c * c + bn(c) + kernel * kernel * c * c + bn(c);
    if (layer > 0) total += (skips + 1) * c * c + bn(c);
    if (layer == layers / 3 - 1 || layer == 2 * (layers / 3) - 1) {
      total += (layer + 2) * (c * 2 * c + bn(2 * c));
      c *= 2;
    }
  }
  return total + c * o.num_classes();
}

TEST(ChildNetwork, TheFixedArcMacroFormCountsWhatEnasCodeBuilds) {
  const spaces::ArchPreset& preset = *spaces::find_arch_preset("enas_macro_final");
  const auto space = spaces::make_space(preset.space);
  const spaces::Arch arch = space->parse(preset.text);
  const NetworkOptions options = NetworkOptions().input_channels(3).image_size(32).num_classes(10).channels(96);
  const NetworkCost fixed = measure_network(space, NetworkOptions(options).fixed_arc_form(true), arch);
  EXPECT_EQ(fixed.parameters, enas_fixed_arc_macro_parameters(space->decode(arch).cells.at(0), options, 24));
  EXPECT_EQ(fixed.parameters_with_aux, fixed.parameters);
  // ENAS's fixed macro network cannot hold an auxiliary head or a pool op.
  EXPECT_THROW(measure_network(space, NetworkOptions(options).fixed_arc_form(true).auxiliary(true), arch),
               std::invalid_argument);
  const auto small = spaces::make_space("enas_macro(layers=3)");
  EXPECT_THROW(measure_network(small, NetworkOptions(options).fixed_arc_form(true), small->parse("4 0 0 0 0 0")),
               std::invalid_argument);
}

// A fixed-arc network runs forward and backward, its auxiliary head
// included, at Fashion-MNIST's size; a shared store cannot take the form.
TEST(ChildNetwork, TheFixedArcFormTrainsAndIsRefusedForASharedStore) {
  const auto space = spaces::make_space("enas_micro(nodes=3)");
  spaces::Rng rng(5);
  const spaces::Arch arch = space->random(rng);
  const NetworkOptions options =
      NetworkOptions().image_size(28).channels(4).cells_per_stage(1).auxiliary(true).fixed_arc_form(true);
  auto network = ChildNetworkImpl::standalone(space, options, arch);
  auto sgd = make_sgd(network->trainable_parameters(), SgdOptions().lr(0.05));
  const torch::Tensor images = torch::randn({4, 1, 28, 28}), labels = torch::randint(0, 10, {4});
  const StepResult step = train_step(*network, *sgd, images, labels, space->decode(arch), StepOptions());
  EXPECT_TRUE(std::isfinite(step.loss));
  EXPECT_TRUE(network->store()->get<AuxiliaryHeadImpl>("aux").reduce->weight.grad().defined());
  EXPECT_THROW(make_shared_store(space, options), std::invalid_argument);
  // The macro form, with skips and both pools (after layers 1 and 3).
  const auto macro = spaces::make_space("enas_macro(layers=6)");
  // Every fixed op (ids 0-3, no pools), skips from the stem on.
  const spaces::Arch layers = macro->parse("1  2 1  3 0 1  0 1 0 1  1 0 1 1 0  2 1 0 0 1 1");
  auto macro_network =
      ChildNetworkImpl::standalone(macro, NetworkOptions().image_size(28).channels(4).fixed_arc_form(true), layers);
  auto macro_sgd = make_sgd(macro_network->trainable_parameters(), SgdOptions().lr(0.05));
  EXPECT_TRUE(
      std::isfinite(train_step(*macro_network, *macro_sgd, images, labels, macro->decode(layers), StepOptions()).loss));
}

TEST(ChildNetwork, CostCountsTheAuxiliaryHeadSeparately) {
  const auto space = spaces::make_space("darts");
  spaces::Rng rng(1);
  const spaces::Arch arch = space->random(rng);
  const NetworkCost plain = measure_network(space, testing::small_network(), arch);
  const NetworkCost with_aux = measure_network(space, testing::small_network().auxiliary(true), arch);
  EXPECT_EQ(plain.parameters, plain.parameters_with_aux);
  EXPECT_EQ(with_aux.parameters, plain.parameters);
  // ReLU-pool-conv1x1(C->128)-BN-ReLU-conv2x2(128->768)-BN-ReLU-linear(768->3); the head reads the
  // second reduction cell's concat: 16 channels * 4 nodes
  EXPECT_EQ(with_aux.parameters_with_aux - with_aux.parameters, 64 * 128 + 256 + 128 * 768 * 4 + 2 * 768 + 768 * 3 + 3);
  EXPECT_GT(plain.macs_per_image, 0);
}

// PNAS evaluates b-block cells on the B-block store: the same function as
// the b-block cell's own network given the same weights.
TEST(ChildNetwork, ASmallerCellRunsOnTheStoreOfTheLargerSpace) {
  torch::manual_seed(3);
  const auto big = spaces::make_space("pnas(blocks=4)"), small = spaces::make_space("pnas(blocks=2)");
  const NetworkOptions options = testing::small_network();
  ParameterStore store = make_shared_store(big, options);
  ChildNetwork shared(big, options, store);
  spaces::Rng rng(5);
  const spaces::Arch cell = small->random(rng);
  EXPECT_LT(standalone_difference(shared, *store, small, options, cell, 2), 1e-5);
  const torch::Tensor x = torch::randn({2, 1, 8, 8});
  // A larger cell does not fit the store.
  ChildNetwork small_network(small, options, make_shared_store(small, options));
  EXPECT_THROW(small_network->forward(x, big->decode(big->random(rng))), std::invalid_argument);
}

TEST(ChildNetwork, RejectsAnArchitectureOfAnotherSpace) {
  const auto space = spaces::make_space("pnas");
  const auto other = spaces::make_space("darts");
  ChildNetwork network(space, testing::small_network(), make_shared_store(space, testing::small_network()));
  spaces::Rng rng(1);
  EXPECT_THROW(network->forward(torch::randn({1, 1, 8, 8}), other->decode(other->random(rng))), std::invalid_argument);
}

}  // namespace
}  // namespace childnets
