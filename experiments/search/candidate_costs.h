#pragma once
// CandidateCosts: the run's cost model (controllers::CostModel): what a
// candidate's network costs — "params" (count of weights, without an
// auxiliary head) and "macs" (multiply-accumulates of one image's forward
// pass), from building it at the search's [child] shape
// (childnets::measure_network), once per distinct architecture — and the
// run's constraints on them, [search] max_params and max_macs (0: none).
// Evaluators report these costs with every candidate; strategies that
// honour constraints ask violation() before spending an evaluation.

#include <cstdint>
#include <string>
#include <unordered_map>

#include "controllers/controller.h"

namespace experiments {

struct SearchContext;

class CandidateCosts : public controllers::CostModel {
 public:
  // Reads the constraints from context.config's [search] section.
  explicit CandidateCosts(SearchContext& context);
  controllers::Metrics costs(const spaces::Arch& arch) override;
  std::string violation(const spaces::Arch& arch) override;
  bool constrained() const override { return max_params_ > 0 || max_macs_ > 0; }
  // "params <= 3e+06, macs <= 3.3e+08", or "" without constraints.
  std::string describe() const;

 private:
  SearchContext& context_;
  double max_params_ = 0, max_macs_ = 0;
  std::unordered_map<std::uint64_t, controllers::Metrics> cache_;
};

}  // namespace experiments
