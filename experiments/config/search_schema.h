#pragma once
// The configuration schema of the search binaries (nas_search,
// enas_search, pnas_search, nao_search, darts_search): every key, its type,
// default, range and meaning. The defaults are the ENAS Fashion-MNIST search
// sized for a 2-core machine; experiments/configs/ holds each binary's
// default config and the papers' settings.

#include <string>
#include <vector>

#include "experiments/config/experiment_config.h"

namespace experiments {

const ConfigSchema& search_schema();

}  // namespace experiments
