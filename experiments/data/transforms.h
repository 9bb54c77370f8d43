#pragma once
// Turning uint8 images into normalised float batches, and the augmentations
// of the papers' CIFAR-10 pipelines. Augmentations draw from the generator
// they are given, so a batch iterator that saves its generator's state
// replays them exactly.

#include <torch/torch.h>

#include <random>
#include <vector>

#include "experiments/data/dataset.h"

namespace experiments {

struct Normalization {
  std::vector<double> mean;  // per channel, of pixel / 255 (uint8 images) or of the value (float data: features)
  std::vector<double> std;

  // Per-channel statistics of a data set (the training split, normally).
  static Normalization of(const Dataset& data);
  // uint8 [B, C, H, W] -> float, (x / 255 - mean) / std per channel; float
  // data (CSV features, [B, features, 1, 1]) -> (x - mean) / std.
  torch::Tensor apply(const torch::Tensor& images) const;
};

struct AugmentOptions {
  TORCH_ARG(std::int64_t, crop_padding) = 0;  // random crop after zero padding by this much (CIFAR: 4); 0: off
  TORCH_ARG(bool, horizontal_flip) = false;   // with probability 1/2 (off for digits and Fashion-MNIST)
  TORCH_ARG(std::int64_t, cutout) = 0;        // side of the zeroed square (DARTS: 16); 0: off
};

// Augments a float batch in place of a copy, sample by sample.
torch::Tensor augment(const torch::Tensor& batch, const AugmentOptions& options, std::mt19937_64& rng);
// How many numbers augment() draws from its generator per image: the same
// for every image (crop 2, flip 1, cutout 2), so skipping a batch of n
// images is rng.discard(n * augment_draws_per_image(options)).
std::uint64_t augment_draws_per_image(const AugmentOptions& options);

}  // namespace experiments
