#include "experiments/train/arch_choice.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "controllers/pareto.h"
#include "experiments/archive/run_archive.h"
#include "experiments/config/experiment_config.h"
#include "experiments/harness/progress.h"
#include "experiments/search/search_objectives.h"
#include "spaces/arch.h"
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
    return {std::move(space), std::move(arch), "preset " + preset->name, preset->fixed_arc_form};
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

ArchChoice choose_pareto_point_from_run(const std::string& run_dir, std::int64_t point) {
  const std::string path = (std::filesystem::path(run_dir) / "run.h5").string();
  const SearchOutcome outcome = read_search_outcome(path);
  const TableColumns pareto = read_archive_table(path, "pareto");
  const TableColumns front = read_archive_table(path, "front");
  if (pareto.rows == 0 || front.rows == 0) {
    throw ArchiveError(path + ": holds no Pareto front (a search with 2 or 3 [search] objectives archives one)");
  }
  const std::string objectives = pareto.texts.at("objectives").back();
  const std::string first = split_objectives(objectives).front();
  // The last front: the rows of the newest epoch.
  const std::vector<std::int64_t>& epochs = front.integers.at("epoch");
  const std::int64_t last = *std::max_element(epochs.begin(), epochs.end());
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < front.rows; ++i) {
    if (epochs[i] == last) rows.push_back(i);
  }
  const std::vector<double>& values = front.numbers.at(first);
  std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
    return controllers::objective_value(first, values[a]) < controllers::objective_value(first, values[b]);
  });
  if (point < 1 || point > static_cast<std::int64_t>(rows.size())) {
    throw ConfigError("--pareto " + std::to_string(point) + ": the last Pareto front of " + path + " has " +
                      std::to_string(rows.size()) + " points (1 is the best " + first + ")");
  }
  const std::size_t row = rows[static_cast<std::size_t>(point - 1)];
  spaces::SpacePtr space = spaces::make_space(outcome.space);
  std::vector<std::int64_t> tokens = front.integer_rows.at("tokens")[row];
  while (!tokens.empty() && tokens.back() == -1) tokens.pop_back();  // the table's padding
  spaces::Arch arch = space->make_arch(std::move(tokens));
  space->validate(arch);
  std::string metrics;
  for (const std::string& name : split_objectives(objectives)) {
    metrics += (metrics.empty() ? "" : ", ") + name + " " + spaces::round_trip_text(front.numbers.at(name)[row]);
  }
  return {
      std::move(space), std::move(arch),
      run_dir + " Pareto point " + std::to_string(point) + " of " + std::to_string(rows.size()) + " (" + metrics + ")"};
}

}  // namespace experiments
