#pragma once
// Console progress of the experiment binaries: a one-line bar redrawn in
// place ("epoch 3/8 child [######....] 40/100 loss 0.512 | 00:12 eta 00:18")
// and fixed-point number text for the values shown beside it.

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "spaces/infra/number_text.h"

namespace experiments {

using Clock = std::chrono::steady_clock;

// Redraws the bar for `done` of `total` since `start`, when `done_at_start`
// were already done (a resumed phase); the caller ends the line ("\n")
// when the phase is over.
void draw_progress(std::ostream& out, const std::string& label, std::int64_t done, std::int64_t total,
                   const std::string& values, Clock::time_point start, std::int64_t done_at_start = 0);

// `value` with `digits` digits after the point (spaces/infra/number_text.h).
using spaces::fixed;

// Seconds since `start`.
double seconds_since(Clock::time_point start);

}  // namespace experiments
