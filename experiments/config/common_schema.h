#pragma once
// Keys that every experiment binary's schema shares: the [run] section
// (directory, seed, threads, checkpoint interval) and the data set keys of
// [data], and the SGD keys of child training. Each binary's schema adds its own.

#include <string>
#include <vector>

#include "childnets/training.h"
#include "experiments/config/experiment_config.h"
#include "experiments/data/load.h"

namespace experiments {

// [run] with `default_dir` as the default run directory, plus `extra` keys
// of the binary's own.
ConfigSection run_section(const std::string& default_dir, std::vector<spaces::ParamSpec> extra = {});

// dataset, path, label, test_fraction, split_seed, train_limit,
// crop_padding, horizontal_flip, cutout.
std::vector<spaces::ParamSpec> data_set_keys();
// The data set those keys of `data` (a [data] section) name.
DataSource data_source_of(const spaces::Params& data);

// The SGD and learning-rate keys of child training: lr_max, lr_min, lr_t0,
// lr_t_mul (cosine, with warm restarts where used), momentum, nesterov,
// weight_decay (default `weight_decay`), grad_clip, label_smoothing.
std::vector<spaces::ParamSpec> sgd_keys(double weight_decay);

// The optimizer and step settings of sgd_keys() as read from `section`:
// SGD at lr_max with momentum, nesterov and weight_decay; a step with
// grad_clip and label_smoothing.
childnets::SgdOptions sgd_options_of(const spaces::Params& section);
childnets::StepOptions step_options_of(const spaces::Params& section);

}  // namespace experiments
