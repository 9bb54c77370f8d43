#pragma once
// Published architectures as named presets: the cells and networks the
// papers reported, in the text their authors printed, with the space (and
// its options) they belong to. `train_arch --arch NAME` and
// `nas_arch show NAME`-style tools accept these names wherever an
// architecture text goes.

#include <string>
#include <vector>

namespace spaces {

struct ArchPreset {
  std::string name;                       // "darts_v2"
  std::string space;                      // registry spec of its space, "darts"
  std::string text;                       // the architecture as published; parses in `space`
  std::string source;                     // where it was published
  std::vector<std::string> aliases = {};  // other names its code uses ("DARTS" for darts_v2)
  std::string format = "";                // the text form `text` is in; empty: the space's canonical one
  // Its authors' code trains it in ENAS's fixed-arc network form
  // (childnets::NetworkOptions::fixed_arc_form): ENAS's micro and macro
  // final networks and NAO-WS's, which reuses ENAS's code.
  bool fixed_arc_form = false;
};

// Every preset, in a fixed order.
const std::vector<ArchPreset>& arch_presets();

// The preset called `name` or one of its aliases, or nullptr. For the
// name, case and '-' against '_' do not matter ("DARTS_V2", "darts-v2" and
// "darts_v2" are one preset); an alias matches exactly as its code spells
// it ("DARTS" is darts_v2; "darts" is the space, no preset).
const ArchPreset* find_arch_preset(const std::string& name);

// The registered name of the preset's space: "darts" for "darts(nodes=4)".
std::string preset_space_name(const ArchPreset& preset);

}  // namespace spaces
