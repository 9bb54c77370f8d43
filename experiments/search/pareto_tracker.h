#pragma once
// ParetoTracker: the Pareto front of a multi-objective search over every
// candidate it measured, and the hypervolume that front dominates.
//
// The search core keeps one whenever the search has 2 or 3 objectives
// (search_objectives.h), for any strategy, so a multi-objective strategy
// and random sampling at the same budget are measured alike. After each
// evaluate phase it gives the archive:
// - table "pareto", one row: measured (candidates so far), front_size and
//   hypervolume (the product of the objectives' units, against the
//   reference point), with the reference point;
// - table "front", one row per member of the front then: canonical, tokens
//   and every metric measured for it.
// A candidate dominated once stays dominated, so only the front is kept;
// equal objective vectors are all kept.

#include <cstdint>
#include <string>
#include <vector>

#include "controllers/controller.h"
#include "experiments/search/search_objectives.h"
#include "spaces/infra/record.h"

namespace experiments {

class ParetoTracker {
 public:
  explicit ParetoTracker(SearchObjectives objectives);

  // One measured candidate: `canonical` its space's canonical text,
  // `tokens` as the archive writes them. A candidate lacking an objective
  // (NaN) is not a member. Returns whether it joined the front.
  bool add(const std::string& canonical, const std::vector<std::int64_t>& tokens, const controllers::Metrics& metrics);

  std::int64_t measured() const { return measured_; }
  std::size_t front_size() const { return front_.size(); }
  // Of the current front against the reference point.
  double hypervolume() const;
  // The rows described above for the archive.
  std::vector<spaces::Record> records() const;

  // Its state as text, and back; load throws std::invalid_argument for text
  // it did not write.
  std::string state_text() const;
  void load_state_text(const std::string& text);

 private:
  struct Member {
    std::string canonical;
    std::vector<std::int64_t> tokens;
    controllers::Metrics metrics;
    controllers::ObjectiveVector objectives;
  };
  SearchObjectives objectives_;
  std::vector<Member> front_;
  std::int64_t measured_ = 0;
};

}  // namespace experiments
