#include "spaces/presets.h"

#include <gtest/gtest.h>

#include <set>

#include "spaces/infra/errors.h"
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
    EXPECT_EQ(space->to_string(arch, preset.format.empty() ? space->formats().front() : preset.format), preset.text);
    EXPECT_FALSE(preset.source.empty());
  }
  EXPECT_EQ(names,
            (std::set<std::string>{"enas_micro_final", "enas_macro_final", "nao_ws_final", "naonet", "darts_v1",
                                   "darts_v2"}));
}

// Names as the papers' code spells them (DARTS's genotypes.py: DARTS_V1,
// DARTS_V2, DARTS = DARTS_V2) find the same preset; nothing else does.
TEST(Presets, LookupByNameTakesTheCodesSpellingsAndOnlyKnownNames) {
  ASSERT_NE(find_arch_preset("darts_v2"), nullptr);
  EXPECT_EQ(find_arch_preset("darts_v2")->space, "darts(nodes=4)");
  EXPECT_EQ(find_arch_preset("DARTS_V2"), find_arch_preset("darts_v2"));
  EXPECT_EQ(find_arch_preset("darts-v2"), find_arch_preset("darts_v2"));
  EXPECT_EQ(find_arch_preset("DARTS"), find_arch_preset("darts_v2"));
  EXPECT_EQ(find_arch_preset("DARTS_V1"), find_arch_preset("darts_v1"));
  EXPECT_EQ(find_arch_preset("darts_v3"), nullptr);
  EXPECT_EQ(find_arch_preset("darts"), nullptr);
  EXPECT_EQ(find_arch_preset(""), nullptr);
}

// Every preset, by each of its names and as pasted, is what its text parses to.
TEST(Presets, EverySpaceParsesThePresetsOfItsKindByName) {
  for (const ArchPreset& preset : arch_presets()) {
    const SpacePtr space = make_space(preset.space);
    const Arch arch = space->parse(preset.text);
    std::vector<std::string> names = preset.aliases;
    names.push_back(preset.name);
    for (const std::string& name : names) {
      EXPECT_EQ(space->parse(name), arch) << name;
      EXPECT_EQ(space->parse("--arch \"" + name + "\""), arch) << name;
    }
    const SpacePtr other = make_space(preset_space_name(preset) == "darts" ? "enas_micro" : "darts");
    EXPECT_THROW(other->parse(preset.name), ArchParseError) << preset.name;
  }
}

}  // namespace
}  // namespace spaces
