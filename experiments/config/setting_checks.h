#pragma once
// Checks of a config's values that need the data set or another value,
// made by search and training alike after the data set is loaded and
// before anything is written. Each failure is a ConfigError (exit 2) at the
// value's place, "file:12: [data] validation_size = 70000: ...", naming
// the limit and what sets it. Ranges a value has on its own are the
// schema's (spaces::ParamSpec); these are the ones it cannot know.

#include <cstdint>
#include <string>

#include "experiments/config/experiment_config.h"
#include "experiments/data/dataset.h"

namespace experiments {

// [data] cutout and crop_padding against the images' side (a cutout of
// twice the side blanks every image; a crop padded by the side or more can
// miss the image entirely).
void check_image_settings(const ExperimentConfig& config, const Dataset& train);

// The SGD keys of `section` (common_schema.h sgd_keys) against each other:
// lr_min <= lr_max (the cosine schedule would rise), and Nesterov momentum
// needs a momentum (torch.optim.SGD refuses nesterov with momentum 0).
void check_sgd_settings(const ExperimentConfig& config, const std::string& section);

// [data] validation_size leaves images to train on: size < images (the
// schema keeps it >= 1).
void check_validation_size(const ExperimentConfig& config, std::int64_t train_images);

// A batch of [section] key is no larger than the split it is drawn from
// (`split_name`: "training", "validation").
void check_batch_fits(const ExperimentConfig& config, const std::string& section, const std::string& key,
                      std::int64_t split_images, const std::string& split_name);
// The batch size [section] key splits evenly over `ranks` data-parallel
// ranks (each takes batch / ranks images of every batch); ConfigError
// naming the key and the rank count otherwise.
void check_batch_splits(const ExperimentConfig& config, const std::string& section, const std::string& key, int ranks);

}  // namespace experiments
