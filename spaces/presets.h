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
  std::string name;    // "darts_v2"
  std::string space;   // registry spec of its space, "darts"
  std::string text;    // the architecture as published; parses in `space`
  std::string source;  // where it was published
};

// Every preset, in a fixed order.
const std::vector<ArchPreset>& arch_presets();

// The preset called `name`, or nullptr.
const ArchPreset* find_arch_preset(const std::string& name);

}  // namespace spaces
