#include "spaces/presets.h"

#include <gtest/gtest.h>

#include <set>

#include "spaces/registry.h"

namespace spaces {
namespace {

TEST(Presets, EveryPresetParsesInItsSpaceAndPrintsBackAsPublished) {
  std::set<std::string> names;
  for (const ArchPreset& preset : arch_presets()) {
    SCOPED_TRACE(preset.name);
    EXPECT_TRUE(names.insert(preset.name).second) << "duplicate name";
    const SpacePtr space = make_space(preset.space);
    const Arch arch = space->parse(preset.text);
    EXPECT_NO_THROW(space->validate(arch));
    EXPECT_EQ(space->to_string(arch), preset.text);
    EXPECT_FALSE(preset.source.empty());
  }
  EXPECT_EQ(names,
            (std::set<std::string>{"enas_micro_final", "enas_macro_final", "nao_ws_final", "darts_v1", "darts_v2"}));
}

TEST(Presets, LookupByNameFindsOnlyKnownNames) {
  ASSERT_NE(find_arch_preset("darts_v2"), nullptr);
  EXPECT_EQ(find_arch_preset("darts_v2")->space, "darts(nodes=4)");
  EXPECT_EQ(find_arch_preset("DARTS_V2"), nullptr);
  EXPECT_EQ(find_arch_preset(""), nullptr);
}

}  // namespace
}  // namespace spaces
