#pragma once
// Keys that every experiment binary's schema shares: the [run] section
// (directory, seed, threads, checkpoint interval) and the data set keys of
// [data]. Each binary's schema adds its own.

#include <string>
#include <vector>

#include "experiments/config/experiment_config.h"

namespace experiments {

// [run] with `default_dir` as the default run directory.
ConfigSection run_section(const std::string& default_dir);

// dataset, path, train_limit, crop_padding, horizontal_flip, cutout.
std::vector<spaces::ParamSpec> data_set_keys();

}  // namespace experiments
