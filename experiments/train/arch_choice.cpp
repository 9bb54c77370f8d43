#include "experiments/train/arch_choice.h"

#include <filesystem>

#include "experiments/archive/run_archive.h"
#include "experiments/config/experiment_config.h"
#include "experiments/harness/progress.h"
#include "spaces/presets.h"
#include "spaces/registry.h"

namespace experiments {

ArchChoice choose_arch(const std::string& space_spec, const std::string& text) {
  if (text.empty()) throw ConfigError("no architecture: give --arch (text or preset name) or --from-run");
  if (const spaces::ArchPreset* preset = spaces::find_arch_preset(text)) {
    spaces::SpacePtr space = spaces::make_space(preset->space);
    if (!space_spec.empty() && spaces::make_space(space_spec)->spec() != space->spec()) {
      throw ConfigError("preset " + preset->name + " is an architecture of " + space->spec() + ", not of " +
                        space_spec);
    }
    spaces::Arch arch = space->parse(preset->text);
    return {std::move(space), std::move(arch), "preset " + preset->name};
  }
  if (space_spec.empty()) {
    std::string names;
    for (const spaces::ArchPreset& preset : spaces::arch_presets()) names += (names.empty() ? "" : ", ") + preset.name;
    throw ConfigError("'" + text + "' is not a preset name; give its space with --space (presets: " + names + ")");
  }
  spaces::SpacePtr space = spaces::make_space(space_spec);
  spaces::Arch arch = space->parse(text);
  return {std::move(space), std::move(arch), "--arch"};
}

ArchChoice choose_arch_from_run(const std::string& run_dir, std::int64_t rank) {
  const std::string path = (std::filesystem::path(run_dir) / "run.h5").string();
  const SearchOutcome outcome = read_search_outcome(path);
  if (outcome.final_archs.empty()) {
    throw ArchiveError(path + ": holds no final re-evaluation (did the search finish?)");
  }
  if (rank < 1 || rank > static_cast<std::int64_t>(outcome.final_archs.size())) {
    throw ConfigError("--rank " + std::to_string(rank) + ": " + path + " ranks " +
                      std::to_string(outcome.final_archs.size()) + " architectures (1 is the best)");
  }
  const FinalArch& chosen = outcome.final_archs[static_cast<std::size_t>(rank - 1)];
  spaces::SpacePtr space = spaces::make_space(outcome.space);
  spaces::Arch arch = space->make_arch(chosen.tokens);
  space->validate(arch);
  return {std::move(space), std::move(arch),
          run_dir + " rank " + std::to_string(rank) + " (accuracy " + fixed(chosen.accuracy, 4) + ")"};
}

}  // namespace experiments
