#include <gtest/gtest.h>

#include "spaces/cell_space.h"
#include "spaces/registry.h"
#include "spaces/presets.h"

namespace spaces {
namespace {

TEST(NaoSpace, PublishedNaoWsArcParsesAndRoundTrips) {
  const SpacePtr space = make_space("nao");
  const Arch arch = space->parse(find_arch_preset("nao_ws_final")->text);
  EXPECT_EQ(space->to_string(arch), find_arch_preset("nao_ws_final")->text);
  EXPECT_EQ(space->parse(space->to_string(arch, "genotype")), arch);
}

TEST(NaoSpace, SharesTheEnasMicroGrammar) {
  const SpacePtr nao = make_space("nao");
  const SpacePtr enas = make_space("enas_micro");
  EXPECT_EQ(nao->size(), enas->size());
  EXPECT_EQ(nao->op_names(), enas->op_names());
  ASSERT_EQ(nao->num_tokens(), enas->num_tokens());
  for (std::size_t i = 0; i < nao->num_tokens(); ++i) {
    EXPECT_EQ(nao->decisions()[i].num_choices, enas->decisions()[i].num_choices);
  }
}

TEST(NaoSpace, SixteenOpVocabularyFollowsNaoV1) {
  const SpacePtr space = make_space("nao(ops=nao16)");
  ASSERT_EQ(space->op_names().size(), 16u);
  EXPECT_EQ(space->op_names()[4], "identity");
  EXPECT_EQ(space->op_names()[7], "conv_3x3");
  EXPECT_EQ(space->op_names()[15], "avg_pool_5x5");
  const auto cell = std::dynamic_pointer_cast<const CellSpace>(space)->cell_size();
  BigCount expected(1);
  for (std::uint64_t j = 0; j < 5; ++j) expected *= BigCount((j + 2) * (j + 2) * 16 * 16);
  EXPECT_EQ(cell, expected);
}

TEST(NaoSpace, RepeatedOpsOfTheSixteenHashAsOneFunction) {
  const SpacePtr space = make_space("nao(ops=nao16,nodes=1)");
  // identity is token 4 and token 5; max_pool_3x3 is 3 and 11.
  const Arch small = space->parse("0 4 1 3 0 0 1 0");
  const Arch large = space->parse("0 5 1 11 0 0 1 0");
  const Arch other = space->parse("0 6 1 11 0 0 1 0");
  EXPECT_EQ(space->canonical_hash(small), space->canonical_hash(large));
  EXPECT_NE(space->canonical_hash(small), space->canonical_hash(other));
  EXPECT_EQ(space->parse(space->to_string(large, "genotype")), large);
}

}  // namespace
}  // namespace spaces
