#include "spaces/hyper_space.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace spaces {
namespace {

std::shared_ptr<const HyperSpace> hyper(const std::string& spec) {
  auto space = std::dynamic_pointer_cast<const HyperSpace>(make_space(spec));
  EXPECT_NE(space, nullptr) << spec;
  return space;
}

// Every token sequence of the decisions' full ranges, legal or not.
void for_every_raw_sequence(const SearchSpace& space, const std::function<void(const std::vector<std::int64_t>&)>& f) {
  std::vector<std::int64_t> tokens(space.num_tokens(), 0);
  while (true) {
    f(tokens);
    std::size_t p = 0;
    while (p < tokens.size() && ++tokens[p] == space.decisions()[p].num_choices) tokens[p++] = 0;
    if (p == tokens.size()) return;
  }
}

std::string network_text(const HyperSpace& space, const std::vector<std::int64_t>& tokens) {
  // Realised from the raw tokens as they stand, inactive ones included.
  std::string text;
  const ArchGraph graph = space.decode(space.make_arch(tokens));
  for (Vertex v = 0; v < boost::num_vertices(graph.cells[0]); ++v) text += graph.cells[0][v].node_op + ";";
  return text;
}

// Every raw sequence decodes once made legal (inactive tokens zeroed, an
// order reduced); the distinct networks among them are the legal
// sequences, one each, and size() counts them.
void expect_size_counts_distinct_networks(const std::string& spec) {
  const auto space = hyper(spec);
  std::set<std::string> networks;
  std::set<std::vector<std::int64_t>> legal;
  for_every_raw_sequence(*space, [&](const std::vector<std::int64_t>& tokens) {
    if (!space->is_valid(space->make_arch(tokens))) return;
    legal.insert(tokens);
    networks.insert(network_text(*space, tokens));
  });
  EXPECT_EQ(legal.size(), networks.size()) << spec << ": two legal sequences build the same network";
  EXPECT_EQ(BigCount(legal.size()), space->size()) << spec;
}

TEST(HyperSpace, DnnSizeCountsEachDistinctNetworkOnce) { expect_size_counts_distinct_networks("hyper_dnn"); }

TEST(HyperSpace, CnnSizeCountsEachDistinctNetworkOnce) {
  expect_size_counts_distinct_networks("hyper_cnn(blocks=[2,3,4])");
}

TEST(HyperSpace, DnnSizeFollowsFromWhichModulesAnOrderArranges) {
  // Orders of (activation, BN if on, dropout if rate > 0): 1, 2, 2 or 6.
  const std::uint64_t rates_above_zero = 5;  // 0.1 .. 0.5
  const std::uint64_t orders = (1 + rates_above_zero * 2) + (2 + rates_above_zero * 6);
  EXPECT_EQ(hyper("hyper_dnn")->size(), BigCount(3 * 3 * 2 * 3 * orders));
}

TEST(HyperSpace, ParametersOfBlocksARepeatDidNotReachAreInactive) {
  const auto space = hyper("hyper_cnn");
  const Arch arch = space->parse(
      "{use_bn=true pooling=max filters=32 kernel_size=3 fc_units=1024 bn_act_order=1-0 "
      "blocks=3 block2_repeats=4}");
  for (std::size_t p = 0; p < space->num_tokens(); ++p) {
    const std::string& name = space->parameters()[p].name;
    const std::vector<bool> legal = space->legal_choices(std::span<const std::int64_t>(arch.tokens.data(), p));
    const auto count = std::count(legal.begin(), legal.end(), true);
    if (name == "block3_repeats" || name == "block4_repeats" || name == "block5_repeats") {
      EXPECT_EQ(count, 1) << name;
      EXPECT_TRUE(legal[0]) << name;
    } else {
      EXPECT_EQ(count, space->decisions()[p].num_choices) << name;
    }
  }
  EXPECT_EQ(space->assignment_text(arch),
            "{use_bn=true pooling=max filters=32 kernel_size=3 fc_units=1024 bn_act_order=1-0 blocks=3 "
            "block2_repeats=4}");
}

TEST(HyperSpace, AnOrderOfModulesKnownEmptyIsLegalOnce) {
  const auto space = hyper("hyper_cnn");
  // BN off: (BN, activation) and (activation, BN) are one network.
  const Arch arch = space->parse("{use_bn=false pooling=avg filters=64 kernel_size=1 fc_units=2048 blocks=2}");
  const std::size_t order = 5;
  ASSERT_EQ(space->parameters()[order].name, "bn_act_order");
  const std::vector<bool> legal = space->legal_choices(std::span<const std::int64_t>(arch.tokens.data(), order));
  EXPECT_EQ(legal, (std::vector<bool>{true, false}));
}

TEST(HyperSpace, LayersFollowTheAssignment) {
  const auto space = hyper("hyper_dnn");
  const Arch arch = space->parse(
      "{units=500 reduce_factor=0.8 use_bn=true activation=tanh dropout=0.3 order=2-0-1 "
      "layers=3}");
  std::vector<std::string> texts;
  for (const HyperLayer& layer : space->layers(arch)) texts.push_back(layer.text());
  const std::vector<std::string> block_tail = {"dropout(rate=0.3)", "activation(fn=tanh)", "batch_norm"};
  std::vector<std::string> expected;
  for (const char* units : {"500", "400", "320"}) {  // 500 * 0.8^step
    expected.push_back(std::string("dense(units=") + units + ")");
    expected.insert(expected.end(), block_tail.begin(), block_tail.end());
  }
  EXPECT_EQ(texts, expected);
}

TEST(HyperSpace, DropoutOfRateZeroIsNoLayer) {
  const auto space = hyper("hyper_dnn");
  const Arch arch =
      space->parse("{units=200, reduce_factor=1, use_bn=false, activation=relu, dropout=0, order=0-1-2, layers=2}");
  for (const HyperLayer& layer : space->layers(arch)) EXPECT_NE(layer.op, "dropout");
  EXPECT_EQ(space->layers(arch).size(), 4u);
}

TEST(HyperSpace, CnnFiltersDoubleFromTheThirdBlockAndPoolingEndsEachBlock) {
  const auto space = hyper("hyper_cnn");
  const Arch arch = space->parse(
      "{use_bn=false pooling=max filters=32 kernel_size=3 fc_units=1024 bn_act_order=0-1 "
      "blocks=4 block2_repeats=3 block3_repeats=5}");
  std::vector<double> filters;
  int pools = 0;
  for (const HyperLayer& layer : space->layers(arch)) {
    if (layer.op == "conv2d") filters.push_back(layer.number("filters"));
    pools += layer.op == "max_pool";
  }
  std::vector<double> expected = {32, 32, 32, 32, 64, 64, 64, 128, 128, 128, 128, 128};
  EXPECT_EQ(filters, expected);
  EXPECT_EQ(pools, 4);
}

TEST(HyperSpace, LayerTextReadsBack) {
  const HyperLayer layer = parse_hyper_layer("conv2d(filters=64,kernel=3)");
  EXPECT_EQ(layer.op, "conv2d");
  EXPECT_EQ(layer.number("kernel"), 3);
  EXPECT_EQ(layer.text(), "conv2d(filters=64,kernel=3)");
  EXPECT_THROW(parse_hyper_layer("conv3d(filters=1)"), ArchParseError);
  EXPECT_THROW(parse_hyper_layer("dense(units=5"), ArchParseError);
  EXPECT_THROW(layer.number("stride"), ArchError);
}

TEST(HyperSpace, AssignmentTextNamesABadValueAndItsLegalValues) {
  const auto space = hyper("hyper_dnn");
  try {
    space->parse("{units=300}");
    ADD_FAILURE() << "units=300 accepted";
  } catch (const ArchParseError& e) {
    EXPECT_NE(std::string(e.what()).find("units=300 is not a value of units (200, 500, 1000)"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(space->parse("{depth=3}"), ArchParseError);
  EXPECT_THROW(space->parse("{units=200"), ArchParseError);
}

// --- Definitions a hyper-space refuses ------------------------------------

HyperModule dense_of(int parameter) { return layer_module("dense", {parameter_attribute("units", parameter)}); }

std::string refusal(const std::function<HyperSpaceDefinition()>& make) {
  try {
    HyperSpace("test", Params(), make());
  } catch (const OptionError& e) {
    return e.what();
  }
  return "";
}

TEST(HyperSpaceDefinition, RefusesAParameterNoModuleReads) {
  EXPECT_NE(refusal([] {
              HyperSpaceDefinition d;
              const int units = d.add(int_parameter("units", 1, 4));
              d.add(bool_parameter("unused"));
              d.root = dense_of(units);
              return d;
            }).find("'unused' is never read"),
            std::string::npos);
}

TEST(HyperSpaceDefinition, RefusesAGateDeclaredAfterWhatItGates) {
  EXPECT_NE(refusal([] {
              HyperSpaceDefinition d;
              const int units = d.add(int_parameter("units", 1, 4));
              const int keep = d.add(bool_parameter("keep"));
              d.root = d.optional(keep, dense_of(units));
              return d;
            }).find("'units' is read under the gate 'keep', which is declared after it"),
            std::string::npos);
}

TEST(HyperSpaceDefinition, RefusesAChoiceWhoseValuesAreNotItsModules) {
  EXPECT_NE(refusal([] {
              HyperSpaceDefinition d;
              const int which = d.add(choice_parameter("which", std::vector<std::string>{"a", "b", "c"}));
              d.root = d.choice(which, {layer_module("flatten"), layer_module("batch_norm")});
              return d;
            }).find("has 3 values for a choice of 2 modules"),
            std::string::npos);
}

TEST(HyperSpaceDefinition, RefusesOpsOutsideTheVocabularyAndEmptyRanges) {
  EXPECT_NE(refusal([] {
              HyperSpaceDefinition d;
              d.root = layer_module("lstm");
              return d;
            }).find("'lstm'"),
            std::string::npos);
  EXPECT_THROW(int_parameter("n", 5, 1), OptionError);
  EXPECT_THROW(real_parameter("r", 0, 1, 0), OptionError);
  EXPECT_THROW(log_real_parameter("lr", 0, 1, 5), OptionError);
  EXPECT_THROW(choice_parameter("c", std::vector<std::string>{"a", "a"}), OptionError);
}

TEST(HyperParameters, RangesIncludeBothBoundsAndLogValuesAreGeometric) {
  EXPECT_EQ(int_parameter("n", 2, 10, 4).values.size(), 3u);  // 2, 6, 10
  const HyperParameter dropout = real_parameter("dropout", 0, 0.5, 0.1);
  ASSERT_EQ(dropout.values.size(), 6u);
  EXPECT_EQ(dropout.values[3].text, "0.3");
  const HyperParameter lr = log_real_parameter("lr", 1e-4, 1e-1, 4);
  ASSERT_EQ(lr.values.size(), 4u);
  EXPECT_NEAR(lr.values[1].number, 1e-3, 1e-15);
  EXPECT_NEAR(lr.values[2].number / lr.values[1].number, 10.0, 1e-9);
}

}  // namespace
}  // namespace spaces

namespace spaces {
namespace {

TEST(HypernetsEnasSpace, EachCellOfTheArchStringHasItsOwnNodesInHypernetsOrder) {
  const SpacePtr space = make_space("hyper_enas_micro(arch=NRN,nodes=2)");
  // Per node: input L, input R, op L, op R; three cells of two nodes.
  ASSERT_EQ(space->num_tokens(), 3u * 2 * 4);
  EXPECT_EQ(space->decisions()[0].kind, DecisionKind::kInputIndex);
  EXPECT_EQ(space->decisions()[1].kind, DecisionKind::kInputIndex);
  EXPECT_EQ(space->decisions()[2].kind, DecisionKind::kOp);
  EXPECT_EQ(space->cell_name(1), "cell 2 (R)");
  // One cell: node 0 from (c1, c2), node 1 from (c2, node 0): 2 * 2 * 3 * 3 inputs, 5^4 ops.
  EXPECT_EQ(space->size(), BigCount::power(BigCount(2 * 2 * 3 * 3 * 625), 3));
  // Node 0 identity(c1) + sep5(c2); node 1 max(node 0) + sep3(c1): node 1 alone is a loose end.
  const ArchGraph graph =
      space->decode(space->parse("0 1 4 0  2 0 3 1  " + std::string(16, ' ') + "0 0 0 0 0 0 0 0 " + "0 0 0 0 0 0 0 0"));
  const CellGraph& cell = graph.cells[0];
  EXPECT_EQ(graph.cells[1][boost::graph_bundle].role, CellRole::kReduction);
  EXPECT_EQ(loose_ends(cell), std::vector<Vertex>{3});
  EXPECT_EQ(cell[inputs_by_slot(cell, 2)[1]].op_name, "sep_conv_5x5");
  EXPECT_THROW(make_space("hyper_enas_micro(arch=NXR)"), OptionError);
  EXPECT_THROW(make_space("hyper_enas_micro(arch=)"), OptionError);
}

}  // namespace
}  // namespace spaces

namespace spaces {
namespace {

TEST(HyperSpaceDefinition, RefusesAnOrderDeclaredBeforeWhatCanEmptyItsModules) {
  HyperSpaceDefinition d;
  const int order = d.add(HyperSpaceDefinition::permutation_parameter("order", 2));
  const int keep = d.add(bool_parameter("keep"));
  d.root = d.permutation(order, {d.optional(keep, layer_module("batch_norm")), layer_module("flatten")});
  try {
    HyperSpace("test", Params(), std::move(d));
    ADD_FAILURE() << "accepted";
  } catch (const OptionError& e) {
    EXPECT_NE(std::string(e.what()).find("'keep' can empty a module that the order 'order' arranges"),
              std::string::npos)
        << e.what();
  }
}

TEST(HyperSpace, DnnOptionsThatRepeatOrEmptyNetworksAreRefused) {
  EXPECT_THROW(make_space("hyper_dnn(layers=[1,2])"), OptionError);          // one block never reads the factor
  EXPECT_THROW(make_space("hyper_dnn(units=[4],layers=[4])"), OptionError);  // 4 * 0.5^3 < 1
  EXPECT_THROW(make_space("hyper_dnn(reduce_factors=1/0)"), OptionError);
  EXPECT_NO_THROW(make_space("hyper_dnn(reduce_factors=1,layers=[1,2])"));
}

}  // namespace
}  // namespace spaces
