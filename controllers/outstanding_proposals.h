#pragma once
// The ids a strategy has proposed and not yet had feedback for, for a
// strategy that keeps nothing else per proposal (random, darts): issues
// ids, refuses feedback for an id it never issued or already settled, and
// saves both in the strategy's state.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "controllers/controller.h"
#include "controllers/torch_state.h"

namespace controllers {

class OutstandingProposals {
 public:
  // The next id (0, 1, 2, ... over the strategy's life), now outstanding.
  std::int64_t issue();
  // Settles every id of `feedback`. Throws std::invalid_argument naming
  // `strategy` and the id when one is not outstanding (never issued,
  // already settled, or repeated within `feedback`); then nothing is settled.
  void settle(const std::vector<Feedback>& feedback, const std::string& strategy);
  // "next_id" and "outstanding" (ids as text); a loaded list that does not
  // parse fails through fields.fail.
  void state_fields(StateFields& fields);

 private:
  std::int64_t next_id_ = 0;
  std::set<std::int64_t> outstanding_;
};

}  // namespace controllers
