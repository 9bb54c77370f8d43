#pragma once
// Which architecture a final training trains, from what the user gave:
// - a preset name (spaces/presets.h), whose space comes with it;
// - a space spec and an architecture text in any format that space parses;
// - a search run directory and a rank: the rank-th best architecture of
//   the search's final re-evaluation, in the space the search used.

#include <cstdint>
#include <string>

#include "spaces/search_space.h"

namespace experiments {

struct ArchChoice {
  spaces::SpacePtr space;
  spaces::Arch arch;
  std::string origin;           // "preset darts_v2", "--arch", "runs/x rank 1 (validation accuracy 0.67)"
  bool fixed_arc_form = false;  // a preset its authors trained in ENAS's fixed-arc form (spaces::ArchPreset)
};

// `text` a preset name: that preset (a non-empty `space_spec` must name the
// preset's space: ConfigError otherwise). Else `space_spec` is required
// (ConfigError) and `text` is parsed in it (spaces::ArchError /
// spaces::OptionError naming what is wrong).
ArchChoice choose_arch(const std::string& space_spec, const std::string& text);

// rank 1 = the best. ArchiveError when RUN_DIR/run.h5 is missing or holds
// no final re-evaluation; ConfigError when rank exceeds what it holds.
ArchChoice choose_arch_from_run(const std::string& run_dir, std::int64_t rank);

// point 1 = the first of the search's last Pareto front (table "front")
// ordered by the search's first objective, best first (accuracy: most
// accurate first). ArchiveError when RUN_DIR/run.h5 is missing or holds no
// front (a single-objective search); ConfigError when point exceeds the
// front's size.
ArchChoice choose_pareto_point_from_run(const std::string& run_dir, std::int64_t point);

}  // namespace experiments
