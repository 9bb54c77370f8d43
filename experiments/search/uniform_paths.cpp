#include "experiments/search/uniform_paths.h"

#include <algorithm>
#include <limits>
#include <random>
#include <sstream>

namespace experiments {

UniformPaths::UniformPaths(const ExperimentConfig& config, spaces::SpacePtr space, CandidateCosts& costs,
                           std::uint64_t seed)
    : space_(std::move(space)), costs_(costs) {
  const auto& search = config.section("search");
  bins_ = search.get_int("path_macs_bins");
  if (bins_ == 0) return;
  low_ = search.get_double("path_macs_min");
  high_ = search.get_double("path_macs_max");
  if (!(low_ < high_)) {
    throw config.error_at("search", "path_macs_max",
                          "not above path_macs_min = " + spaces::to_string(search.values().at("path_macs_min")) +
                              "; path_macs_bins divides [path_macs_min, path_macs_max) into bins");
  }
  spaces::Rng rng(seed + 5);
  double least = std::numeric_limits<double>::infinity(), most = 0.0;
  for (int i = 0; i < 100; ++i) {
    const spaces::Arch arch = space_->random(rng);
    if (in_range(arch, low_, high_)) return;
    const double macs = costs_.costs(arch).at("macs");
    least = std::min(least, macs);
    most = std::max(most, macs);
  }
  std::ostringstream range;
  range << "none of 100 random architectures of " << space_->spec() << " has multiply-accumulates in [" << low_ << ", "
        << high_ << "); they span " << least << " to " << most;
  throw config.error_at("search", "path_macs_min", range.str());
}

bool UniformPaths::in_range(const spaces::Arch& arch, double low, double high) {
  const double macs = costs_.costs(arch).at("macs");
  return macs >= low && macs < high;
}

spaces::Arch UniformPaths::draw(spaces::Rng& rng) {
  if (bins_ == 0) return space_->random(rng);
  const double width = (high_ - low_) / double(bins_);
  const double low = low_ + double(std::uniform_int_distribution<std::int64_t>(0, bins_ - 1)(rng)) * width;
  for (int draw = 0; draw < 500; ++draw) {
    spaces::Arch arch = space_->random(rng);
    if (in_range(arch, low, low + width)) return arch;
  }
  return space_->random(rng);
}

}  // namespace experiments
