#pragma once
// The configuration schema of train_arch, the final training of one fixed
// architecture: every key, its type, default, range and meaning. The
// defaults are the Fashion-MNIST final training sized for a 2-core machine
// (experiments/configs/fashion_mnist_final.toml lists them);
// experiments/configs/ holds the papers' settings.

#include "experiments/config/experiment_config.h"

namespace experiments {

const ConfigSchema& train_schema();

}  // namespace experiments
