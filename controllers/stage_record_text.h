#pragma once
// StageRecords as text, for a staged controller's state() (PNAS, NAO): one
// "stage" header line per stage, then a "cell" line per evaluated cell
// (with its proposal id in the open stage, -1 elsewhere) and a "generated"
// line per generated architecture. Numbers are written so they read back
// exactly.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "controllers/stage_record.h"
#include "spaces/search_space.h"

namespace controllers {

// `open_ids`: the proposal id of each cell of the last stage (-1: not proposed).
std::string stages_to_text(const std::vector<StageRecord>& stages, const std::vector<std::int64_t>& open_ids);

// Reads stages_to_text's text; `space_of_stage` gives the space a stage's
// cells belong to. Fills `open_ids` for the last stage. Throws
// std::invalid_argument naming an unreadable line or an invalid cell.
std::vector<StageRecord> stages_from_text(const std::string& text,
                                          const std::function<spaces::SpacePtr(std::int64_t stage)>& space_of_stage,
                                          std::vector<std::int64_t>& open_ids);

}  // namespace controllers
