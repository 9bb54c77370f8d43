#include "experiments/data/batch_iterator.h"

#include "experiments/data/split.h"
#include "spaces/search_space.h"

namespace experiments {

BatchIterator::BatchIterator(const Dataset& data, Normalization normalization, BatchIteratorOptions options)
    : data_(data),
      normalization_(std::move(normalization)),
      options_(options),
      augment_rng_(options.seed() ^ 0x5eedULL) {
  if (options_.batch_size() <= 0 || options_.batch_size() > data_.size()) {
    throw std::invalid_argument("batch size " + std::to_string(options_.batch_size()) + " must be in [1, " +
                                std::to_string(data_.size()) + "] for " + data_.name);
  }
  start_epoch();
}

std::int64_t BatchIterator::batches_per_epoch() const {
  const std::int64_t n = data_.size(), b = options_.batch_size();
  return options_.drop_last() ? n / b : (n + b - 1) / b;
}

void BatchIterator::start_epoch() {
  if (options_.shuffle()) {
    // The permutation depends on the seed and the epoch only.
    const std::uint64_t epoch_seed =
        options_.seed() * 0x9e3779b97f4a7c15ULL + static_cast<std::uint64_t>(position_.epoch);
    order_ = torch::tensor(seeded_permutation(data_.size(), epoch_seed), torch::kInt64);
  } else {
    order_ = torch::arange(data_.size(), torch::kInt64);
  }
}

std::int64_t BatchIterator::advance() {
  if (position_.batch >= batches_per_epoch()) {
    ++position_.epoch;
    position_.batch = 0;
    start_epoch();
  }
  return position_.batch++ * options_.batch_size();
}

std::int64_t BatchIterator::images_from(std::int64_t begin) const {
  return std::min(options_.batch_size(), data_.size() - begin);
}

Batch BatchIterator::next() {
  const std::int64_t begin = advance();
  const torch::Tensor indices = order_.narrow(0, begin, images_from(begin));
  Batch batch{normalization_.apply(data_.images.index_select(0, indices)), data_.labels.index_select(0, indices)};
  batch.images = augment(batch.images, options_.augment(), augment_rng_);
  return batch;
}

void BatchIterator::skip(std::int64_t batches) {
  if (batches < 0) throw std::invalid_argument("cannot skip " + std::to_string(batches) + " batches");
  const std::uint64_t draws = augment_draws_per_image(options_.augment());
  for (std::int64_t i = 0; i < batches; ++i) {
    const std::int64_t begin = advance();
    augment_rng_.discard(draws * static_cast<std::uint64_t>(images_from(begin)));
  }
}

IteratorPosition BatchIterator::position() const {
  IteratorPosition p = position_;
  p.augment_rng = spaces::rng_to_text(augment_rng_);
  return p;
}

void BatchIterator::restore(const IteratorPosition& position) {
  if (position.epoch < 0 || position.batch < 0 || position.batch > batches_per_epoch()) {
    throw std::invalid_argument("iterator position epoch " + std::to_string(position.epoch) + " batch " +
                                std::to_string(position.batch) + " is impossible for " + data_.name + " (" +
                                std::to_string(batches_per_epoch()) + " batches per epoch)");
  }
  spaces::Rng restored;
  try {
    spaces::rng_from_text(position.augment_rng, restored);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("iterator position: unreadable augmentation generator state");
  }
  position_ = position;
  position_.augment_rng.clear();
  augment_rng_ = restored;
  start_epoch();
}

}  // namespace experiments
