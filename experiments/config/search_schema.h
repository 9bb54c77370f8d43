#pragma once
// The configuration schema of the search binaries (enas_search,
// nas_search): every key, its type, default, range and meaning. The
// defaults are the Fashion-MNIST search sized for a 2-core machine;
// experiments/configs/ holds the papers' settings.

#include "experiments/config/experiment_config.h"

namespace experiments {

const ConfigSchema& search_schema();

}  // namespace experiments
