#include "childnets/parameter_store.h"

#include <gtest/gtest.h>

#include <set>

#include "childnets/child_network.h"
#include "childnets/memory_estimate.h"
#include "childnets/supernet.h"
#include "spaces/darts_space.h"
#include "spaces/registry.h"
#include "tests/childnets/small_network.h"

namespace childnets {
namespace {

bool has_key(const ParameterStoreImpl& store, const std::string& key) { return store.contains(key); }

TEST(ParameterStore, HoldsOneWeightSetPerNodeSlotInputAndOp) {
  const auto space = spaces::make_space("enas_micro(nodes=2)");
  ParameterStore store = make_shared_store(space, testing::small_network());
  // 5 cells (N R N R N); node 3 of cell 0 may take inputs 0..2 in either slot.
  for (int input = 0; input < 3; ++input) {
    for (int slot = 0; slot < 2; ++slot) {
      for (const char* op : {"sep_conv_3x3", "sep_conv_5x5"}) {
        EXPECT_TRUE(has_key(*store, make_key("c0.n3.s", slot, ".i", input, ".", op))) << slot << input << op;
      }
    }
  }
  EXPECT_FALSE(has_key(*store, "c0.n3.s0.i3.sep_conv_3x3"));  // a node never reads itself
  EXPECT_FALSE(has_key(*store, "c0.n2.s0.i0.max_pool_3x3"));  // pools have no weights
  EXPECT_TRUE(has_key(*store, "c1.n2.s0.i0.identity"));       // strided identity = factorized reduction
  EXPECT_FALSE(has_key(*store, "c0.n2.s0.i0.identity"));
  EXPECT_TRUE(has_key(*store, "c4.proj.v3"));
  EXPECT_TRUE(has_key(*store, "stem"));
  EXPECT_TRUE(has_key(*store, "classifier"));
  EXPECT_FALSE(has_key(*store, "c5.proj.v3"));
}

TEST(ParameterStore, WeightShapesFollowTheStageWidths) {
  const auto space = spaces::make_space("enas_micro(nodes=2)");
  ParameterStore store = make_shared_store(space, testing::small_network());
  // C = 4, doubled at cells 1 and 3.
  EXPECT_EQ(store->get<torch::nn::Conv2dImpl>("c0.proj.v2").weight.sizes(), (std::vector<std::int64_t>{4, 4, 1, 1}));
  EXPECT_EQ(store->get<torch::nn::Conv2dImpl>("c2.proj.v2").weight.sizes(), (std::vector<std::int64_t>{8, 8, 1, 1}));
  EXPECT_EQ(store->get<torch::nn::Conv2dImpl>("c4.proj.v2").weight.sizes(), (std::vector<std::int64_t>{16, 16, 1, 1}));
  const auto& sep = store->get<SepConvImpl>("c2.n3.s1.i2.sep_conv_5x5");
  EXPECT_EQ(sep.options.channels(), 8);
  EXPECT_EQ(sep.options.kernel(), 5);
}

TEST(ParameterStore, EverySpaceGetsAStore) {
  for (const char* spec : {"enas_micro", "enas_macro(layers=6)", "nao(ops=nao16)", "pnas", "darts", "genet",
                           "spos(channel_search=true)"}) {
    const auto space = spaces::make_space(spec);
    ParameterStore store = make_shared_store(space, testing::small_network());
    EXPECT_GT(store->num_parameters(), 0) << spec;
    EXPECT_GE(store->bytes(), store->num_parameters() * 4) << spec;
  }
}

// The size a store would have, found from builds at 2-8 channels without
// building it: exact for every space's store and for the DARTS supernet's,
// with and without an auxiliary head.
TEST(ParameterStore, ExtrapolatedBytesEqualTheBuiltStoresBytes) {
  for (const char* spec : {"enas_micro", "enas_macro(layers=6)", "nao(ops=epd)", "pnas", "darts", "genet",
                           "spos(stage_repeats=[1,1],stage_channels=[8,16],stem_channels=4)"}) {
    const auto space = spaces::make_space(spec);
    for (const bool auxiliary : {false, true}) {
      const NetworkOptions options = testing::small_network().auxiliary(auxiliary).cells_per_stage(1);
      auto bytes_at = [&](std::int64_t channels) {
        return make_shared_store(space, NetworkOptions(options).channels(channels))->bytes();
      };
      EXPECT_EQ(extrapolate_store_bytes(bytes_at, 26), bytes_at(26)) << spec << (auxiliary ? " with aux" : "");
    }
  }
  const auto darts = spaces::make_space("darts");
  auto supernet_bytes_at = [&](std::int64_t channels) {
    return make_supernet_store(darts, NetworkOptions(testing::small_network()).channels(channels),
                               spaces::darts_primitives())
        ->bytes();
  };
  EXPECT_EQ(extrapolate_store_bytes(supernet_bytes_at, 36), supernet_bytes_at(36));
  // A size that is no quadratic in the channels is refused, not extrapolated.
  EXPECT_THROW(extrapolate_store_bytes([](std::int64_t c) { return c * c * c; }, 100), std::logic_error);
}

TEST(ParameterStore, UnknownKeysAreNamed) {
  ParameterStore store = make_shared_store(spaces::make_space("pnas(blocks=1)"), testing::small_network());
  try {
    store->get<CellOpImpl>("c9.n2.s0.i0.sep_conv_3x3");
    FAIL();
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("c9.n2.s0.i0.sep_conv_3x3"), std::string::npos);
  }
  EXPECT_THROW(store->get<ClassifierImpl>("stem"), std::logic_error);
}

TEST(ParameterStore, SetToNoneClearsEveryGradient) {
  ParameterStore store = make_shared_store(spaces::make_space("pnas(blocks=1)"), testing::small_network());
  for (auto& p : store->parameters()) p.mutable_grad() = torch::ones_like(p);
  zero_grad_set_to_none(*store);
  for (const auto& p : store->parameters()) EXPECT_FALSE(p.grad().defined());
}

}  // namespace
}  // namespace childnets
