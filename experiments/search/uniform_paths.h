#pragma once
// UniformPaths: the paths a supernet trains on when its strategy asks for
// uniform ones (controllers::PathSource::kUniform). Plain uniform
// architectures of the space, or with [search] path_macs_bins > 0 SPOS's
// sampling within a multiply-accumulate bin (Supernet/train.py:211-222):
// a bin of [path_macs_min, path_macs_max) drawn uniformly, then up to 500
// uniform architectures until one falls in it, else a fresh uniform one.
// A new architecture's cost is measured once by building its network and
// running one image through it (CandidateCosts; milliseconds to tens of
// them), so a bin that few architectures reach slows every step.

#include <cstdint>

#include "experiments/config/experiment_config.h"
#include "experiments/search/candidate_costs.h"
#include "spaces/search_space.h"

namespace experiments {

class UniformPaths {
 public:
  // Reads the [search] keys once. With bins, throws ConfigError at
  // path_macs_max when it is not above path_macs_min, and at path_macs_min
  // when none of 100 random architectures (drawn from `seed`) falls in the
  // range, naming the range they span.
  UniformPaths(const ExperimentConfig& config, spaces::SpacePtr space, CandidateCosts& costs, std::uint64_t seed);

  spaces::Arch draw(spaces::Rng& rng);

 private:
  bool in_range(const spaces::Arch& arch, double low, double high);

  spaces::SpacePtr space_;
  CandidateCosts& costs_;
  std::int64_t bins_ = 0;
  double low_ = 0.0, high_ = 0.0;
};

}  // namespace experiments
