#pragma once
// What `nas_search --list` prints: every registered strategy with its
// summary, capability record, schedule (the phases one epoch runs, as the
// strategy built with its defaults declares them) and options (default,
// legal range, meaning); then every evaluator.

#include <iosfwd>

namespace experiments {

void print_strategy_catalog(std::ostream& out);

}  // namespace experiments
