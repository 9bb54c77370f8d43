#include "experiments/config/setting_checks.h"

namespace experiments {

void check_image_settings(const ExperimentConfig& config, const Dataset& train) {
  const auto& data = config.section("data");
  const std::int64_t side = train.image_size();
  const std::string images = train.name + "'s images are " + std::to_string(side) + "x" + std::to_string(side);
  if (data.get_int("cutout") >= 2 * side) {
    // The square's centre falls anywhere in the image (transforms.cpp), so
    // only a side of twice the image's covers it wherever it falls.
    throw config.error_at("data", "cutout", "a cutout square twice the image's side blanks every image; " + images);
  }
  if (data.get_int("crop_padding") >= side) {
    throw config.error_at("data", "crop_padding",
                          "a random crop padded by the image's side or more can miss the "
                          "image entirely; " +
                              images);
  }
}

void check_sgd_settings(const ExperimentConfig& config, const std::string& section) {
  const auto& sgd = config.section(section);
  if (sgd.get_double("lr_min") > sgd.get_double("lr_max")) {
    throw config.error_at(section, "lr_min",
                          "above lr_max = " + spaces::to_string(sgd.values().at("lr_max")) +
                              "; the cosine schedule falls from lr_max to lr_min");
  }
  if (sgd.get_bool("nesterov") && sgd.get_double("momentum") == 0.0) {
    throw config.error_at(section, "nesterov", "Nesterov momentum needs a momentum, and momentum = 0");
  }
}

void check_validation_size(const ExperimentConfig& config, std::int64_t train_images) {
  const std::int64_t size = config.section("data").get_int("validation_size");
  if (size >= train_images) {
    throw config.error_at("data", "validation_size",
                          "the data set has " + std::to_string(train_images) +
                              " training images, and some must be left to train on (at most " +
                              std::to_string(train_images - 1) + ")");
  }
}

void check_batch_fits(const ExperimentConfig& config, const std::string& section, const std::string& key,
                      std::int64_t split_images, const std::string& split_name) {
  if (config.section(section).get_int(key) > split_images) {
    throw config.error_at(
        section, key, "larger than the " + std::to_string(split_images) + " images of the " + split_name + " split");
  }
}

void check_batch_splits(const ExperimentConfig& config, const std::string& section, const std::string& key, int ranks) {
  if (config.section(section).get_int(key) % ranks != 0) {
    throw config.error_at(section, key,
                          "not a multiple of the " + std::to_string(ranks) +
                              " ranks (WORLD_SIZE): each rank trains on an equal share of every batch");
  }
}

}  // namespace experiments
