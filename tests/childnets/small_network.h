#pragma once
// Small network options that keep child-network tests fast.

#include "childnets/network_options.h"

namespace childnets::testing {

inline NetworkOptions small_network() {
  return NetworkOptions().input_channels(1).image_size(8).num_classes(3).channels(4).cells_per_stage(1);
}

}  // namespace childnets::testing
