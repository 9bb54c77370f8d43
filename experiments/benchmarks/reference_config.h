#pragma once
// The reference search configuration of the benchmarks: the one a widely
// used PyTorch port of ENAS runs, so the two can be compared on the same
// libtorch. 1x28x28 input, stem 1 -> 60 channels, 8 cells N N R N N R N N
// (20 channels at 28x28, 40 at 14x14, 80 at 7x7), B = 5, the 5 ENAS ops,
// batch 64, SGD lr 0.05 momentum 0.9 weight decay 1e-4; reduction cells as
// in ENAS's search (factorized reduction of the input, then stride 1).

#include "childnets/network_options.h"
#include "childnets/training.h"
#include "spaces/registry.h"

namespace experiments::benchmarks {

inline constexpr const char* kReferenceSpace = "enas_micro(nodes=5)";
// One cell for both the normal and the reduction cell.
inline constexpr const char* kReferenceCell = "0 0 1 1 2 0 1 2 3 1 0 3 4 0 2 4 5 1 3 0";
inline constexpr std::int64_t kTrainBatch = 64;
inline constexpr std::int64_t kValidationBatch = 128;

inline childnets::NetworkOptions reference_network() {
  return childnets::NetworkOptions()
      .input_channels(1)
      .image_size(28)
      .num_classes(10)
      .channels(20)
      .cells_per_stage(2)
      .stem_multiplier(3)
      .factorized_reductions(true);
}

inline childnets::SgdOptions reference_sgd() {
  return childnets::SgdOptions().lr(0.05).momentum(0.9).nesterov(false).weight_decay(1e-4);
}

inline spaces::Arch reference_arch(const spaces::SearchSpace& space) {
  return space.parse(std::string(kReferenceCell) + " " + kReferenceCell);
}

}  // namespace experiments::benchmarks
