#include "controllers/outstanding_proposals.h"

#include <sstream>
#include <stdexcept>

namespace controllers {

std::int64_t OutstandingProposals::issue() {
  outstanding_.insert(next_id_);
  return next_id_++;
}

void OutstandingProposals::settle(const std::vector<Feedback>& feedback, const std::string& strategy) {
  std::set<std::int64_t> settled;
  for (const Feedback& f : feedback) {
    if (outstanding_.count(f.id) == 0 || !settled.insert(f.id).second) {
      throw std::invalid_argument(strategy + " controller: no outstanding proposal with id " + std::to_string(f.id) +
                                  (f.id >= 0 && f.id < next_id_ ? " (its feedback was given already)" : ""));
    }
  }
  for (const std::int64_t id : settled) outstanding_.erase(id);
}

void OutstandingProposals::state_fields(StateFields& fields) {
  fields.integer("next_id", next_id_);
  std::string ids;
  for (const std::int64_t id : outstanding_) ids += std::to_string(id) + " ";
  fields.text("outstanding", ids);
  if (fields.saving()) return;
  outstanding_.clear();
  std::istringstream in(ids);
  for (std::int64_t id = 0; in >> id;) {
    if (id < 0 || id >= next_id_) fields.fail("outstanding proposal id " + std::to_string(id) + " out of range");
    outstanding_.insert(id);
  }
  if (!in.eof()) fields.fail("unreadable outstanding proposal ids '" + ids + "'");
}

}  // namespace controllers
