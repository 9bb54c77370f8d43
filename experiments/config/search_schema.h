#pragma once
// The configuration schema of the search binaries (enas_search,
// nas_search): every key, its type, default, range and meaning. The
// defaults are the Fashion-MNIST search sized for a 2-core machine;
// experiments/configs/ holds the papers' settings.

#include <string>
#include <vector>

#include "experiments/config/experiment_config.h"

namespace experiments {

const ConfigSchema& search_schema();

// pnas_search's settings on top of the schema defaults (what runs without
// --config): PNAS on Fashion-MNIST; 16 min 51 s on 2 cores (measured);
// experiments/configs/fashion_mnist_pnas.toml lists the result.
const std::vector<std::string>& pnas_search_defaults();

// nao_search's settings (what runs without --config): NAO-WS on
// Fashion-MNIST with a pool of 300 and 4 cycles; 17 min 56 s on 2 cores
// (measured);
// experiments/configs/fashion_mnist_nao.toml lists the result.
const std::vector<std::string>& nao_search_defaults();

}  // namespace experiments
