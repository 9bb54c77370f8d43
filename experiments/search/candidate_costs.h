#pragma once
// CandidateCosts: the run's cost model (controllers::CostModel): what a
// candidate's network costs — "params" (count of weights, without an
// auxiliary head) and "macs" (multiply-accumulates of one image's forward
// pass), from building it at the search's [child] shape
// (childnets::measure_network), and, with [search] latency_table, the
// "latency_ms" the table predicts for it (milliseconds of one forward pass
// at [search] latency_batch images on this machine, FBNet's lookup table:
// childnets/latency_table.h) — once per distinct architecture, and the
// run's constraints on them, [search] max_params, max_macs and
// max_latency_ms (0: none). Evaluators report these costs with every
// candidate; strategies that honour constraints ask violation() before
// spending an evaluation.
//
// The latency table is read from [search] latency_table when the file
// exists and was measured for this search (space, network shape, threads,
// libtorch build, latency_batch, latency_warmup, latency_runs), and
// measured and written there when it does not exist (not on a resume: a
// resumed run must cost its candidates as it started, so a missing table
// is refused). ConfigError at latency_table for a table of another setting
// (naming the field), an unreadable file, a missing one on resume, or a
// space whose networks are not a chain of searched layers.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "childnets/latency_table.h"
#include "controllers/controller.h"

namespace experiments {

struct SearchContext;

class CandidateCosts : public controllers::CostModel {
 public:
  // Reads the constraints from context.config's [search] section, and
  // reads or measures the latency table (see above); `log` says which.
  CandidateCosts(SearchContext& context, bool resume = false, std::string* log = nullptr);
  controllers::Metrics costs(const spaces::Arch& arch) override;
  std::string violation(const spaces::Arch& arch) override;
  bool constrained() const override { return max_params_ > 0 || max_macs_ > 0 || max_latency_ms_ > 0; }
  // The table's per-layer candidate latencies at latency_batch (empty
  // without a table): what FBNet's latency-aware loss reads.
  std::vector<std::map<std::vector<std::int64_t>, double>> layer_latency_ms() const override;
  // Whether costs() has "latency_ms" (a latency table is in use).
  bool has_latency() const { return latency_ != nullptr; }
  // "params <= 3e+06, macs <= 3.3e+08", or "" without constraints.
  std::string describe() const;
  // The [search] key of the first constraint set ("max_macs"), or "".
  std::string constraint_key() const;

 private:
  struct Constraint {
    const char* key;     // [search] key
    const char* metric;  // what it bounds
    double limit;        // 0: none
  };
  std::vector<Constraint> constraints() const {
    return {{"max_params", "params", max_params_},
            {"max_macs", "macs", max_macs_},
            {"max_latency_ms", "latency_ms", max_latency_ms_}};
  }

  SearchContext& context_;
  double max_params_ = 0, max_macs_ = 0, max_latency_ms_ = 0;
  bool latency_at_batch_ = false;  // latency_batch > 1: the table's second column
  std::unique_ptr<childnets::LatencyTable> latency_;
  std::unordered_map<std::uint64_t, controllers::Metrics> cache_;
};

}  // namespace experiments
