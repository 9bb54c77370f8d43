#pragma once
// BatchIterator: shuffled minibatches of a Dataset, a new permutation every
// epoch drawn from the seed and the epoch number alone, so the iterator's
// position — epoch, batch index and the augmentation generator — is a few
// numbers that a checkpoint saves and restore() resumes at exactly the same
// batch with exactly the same augmentations.

#include <torch/torch.h>

#include <random>
#include <string>

#include "experiments/data/dataset.h"
#include "experiments/data/transforms.h"
#include "spaces/search_space.h"

namespace experiments {

struct Batch {
  torch::Tensor images;  // float [B, C, H, W], normalised and augmented
  torch::Tensor labels;  // int64 [B]
};

struct BatchIteratorOptions {
  TORCH_ARG(std::int64_t, batch_size) = 64;
  TORCH_ARG(std::uint64_t, seed) = 0;
  TORCH_ARG(bool, shuffle) = true;
  TORCH_ARG(bool, drop_last) = true;  // skip the last incomplete batch of an epoch
  TORCH_ARG(AugmentOptions, augment) = {};
};

struct IteratorPosition {
  std::int64_t epoch = 0;
  std::int64_t batch = 0;   // next batch within the epoch
  std::string augment_rng;  // std::mt19937_64 state as text
  bool operator==(const IteratorPosition&) const = default;
};

class BatchIterator {
 public:
  BatchIterator(const Dataset& data, Normalization normalization, BatchIteratorOptions options);

  // The next batch; rolls over into the next epoch when one ends.
  Batch next();
  // Moves past the next `batches` batches without making them: afterwards
  // the iterator (position and augmentation generator) is where `batches`
  // calls of next() would have left it. A rank that leaves a candidate's
  // evaluation to another rank skips what the evaluation draws. Throws
  // std::invalid_argument for a negative count.
  void skip(std::int64_t batches);
  std::int64_t batches_per_epoch() const;
  std::int64_t epoch() const { return position_.epoch; }

  IteratorPosition position() const;
  // Throws std::invalid_argument for a position this data set cannot have.
  void restore(const IteratorPosition& position);

 private:
  void start_epoch();
  // Steps to the next batch (rolling over into the next epoch): the index of its first image in order_.
  std::int64_t advance();
  // The number of images of the batch starting at `begin` (the last of an epoch may be short).
  std::int64_t images_from(std::int64_t begin) const;

  const Dataset& data_;
  Normalization normalization_;
  BatchIteratorOptions options_;
  IteratorPosition position_;
  spaces::Rng augment_rng_;
  torch::Tensor order_;  // int64 permutation of the current epoch
};

}  // namespace experiments
