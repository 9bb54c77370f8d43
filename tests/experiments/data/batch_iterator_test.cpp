#include "experiments/data/batch_iterator.h"

#include <gtest/gtest.h>

#include <set>

#include "experiments/data/split.h"

namespace experiments {
namespace {

Dataset counting_dataset(std::int64_t n) {
  // Image i: every pixel i (mod 256); label i % 10.
  torch::Tensor images =
      (torch::arange(n) % 256).to(torch::kUInt8).view({n, 1, 1, 1}).expand({n, 1, 6, 6}).contiguous();
  return Dataset{"counting", images, torch::arange(n) % 10, 10};
}

TEST(Split, IsSeededDisjointAndComplete) {
  const Dataset data = counting_dataset(100);
  const TrainValidationSplit a = split_train_validation(data, 20, 3);
  const TrainValidationSplit b = split_train_validation(data, 20, 3);
  const TrainValidationSplit c = split_train_validation(data, 20, 4);
  EXPECT_EQ(a.validation.size(), 20);
  EXPECT_EQ(a.train.size(), 80);
  EXPECT_TRUE(torch::equal(a.validation.images, b.validation.images));
  EXPECT_FALSE(torch::equal(a.validation.images, c.validation.images));
  std::set<int> seen;
  for (const Dataset* part : {&a.train, &a.validation}) {
    for (std::int64_t i = 0; i < part->size(); ++i) seen.insert(part->images[i][0][0][0].item<int>());
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_THROW(split_train_validation(data, 100, 1), std::invalid_argument);
}

TEST(Normalization, GivesZeroMeanUnitVariancePerChannel) {
  const Dataset data = counting_dataset(50);
  const Normalization n = Normalization::of(data);
  const torch::Tensor x = n.apply(data.images);
  EXPECT_NEAR(x.mean().item<double>(), 0.0, 1e-5);
  EXPECT_NEAR(x.std().item<double>(), 1.0, 1e-2);
}

TEST(BatchIterator, VisitsEverySampleOncePerEpochInANewOrder) {
  const Dataset data = counting_dataset(40);
  BatchIterator it(data, Normalization{{0.0}, {1.0 / 255.0}}, BatchIteratorOptions().batch_size(8).seed(1));
  std::vector<int> first, second;
  for (int b = 0; b < 5; ++b) {
    const Batch batch = it.next();
    for (std::int64_t i = 0; i < 8; ++i)
      first.push_back(static_cast<int>(std::lround(batch.images[i][0][0][0].item<float>())));
  }
  for (int b = 0; b < 5; ++b) {
    const Batch batch = it.next();
    for (std::int64_t i = 0; i < 8; ++i)
      second.push_back(static_cast<int>(std::lround(batch.images[i][0][0][0].item<float>())));
  }
  EXPECT_EQ(std::set<int>(first.begin(), first.end()).size(), 40u);
  EXPECT_EQ(std::set<int>(second.begin(), second.end()).size(), 40u);
  EXPECT_NE(first, second);
  EXPECT_EQ(it.epoch(), 1);
}

TEST(BatchIterator, ResumesAtTheSameBatchWithTheSameAugmentation) {
  const Dataset data = counting_dataset(30);
  const auto options = BatchIteratorOptions().batch_size(4).seed(9).augment(
      AugmentOptions().crop_padding(2).horizontal_flip(true).cutout(2));
  BatchIterator original(data, Normalization::of(data), options);
  for (int i = 0; i < 9; ++i) original.next();  // into the second epoch (7 batches per epoch)
  const IteratorPosition saved = original.position();
  std::vector<Batch> expected;
  for (int i = 0; i < 6; ++i) expected.push_back(original.next());

  BatchIterator resumed(data, Normalization::of(data), options);
  resumed.restore(saved);
  EXPECT_EQ(resumed.position(), saved);
  for (const Batch& batch : expected) {
    const Batch again = resumed.next();
    EXPECT_TRUE(torch::equal(batch.images, again.images));
    EXPECT_TRUE(torch::equal(batch.labels, again.labels));
  }
  EXPECT_THROW(resumed.restore(IteratorPosition{0, 99, saved.augment_rng}), std::invalid_argument);
  EXPECT_THROW(resumed.restore(IteratorPosition{0, 0, "garbage"}), std::invalid_argument);
}

TEST(BatchIterator, SkippingLeavesItWhereDrawingWould) {
  const Dataset data = counting_dataset(30);
  // drop_last off: the epoch's short last batch draws fewer augmentations.
  for (const AugmentOptions& augment : {AugmentOptions(), AugmentOptions().crop_padding(1),
                                        AugmentOptions().crop_padding(2).horizontal_flip(true).cutout(2)}) {
    const auto options = BatchIteratorOptions().batch_size(4).seed(5).drop_last(false).augment(augment);
    BatchIterator drawn(data, Normalization::of(data), options), skipped(data, Normalization::of(data), options);
    for (const std::int64_t count : {0, 3, 6, 1}) {  // across the end of the first epoch (8 batches)
      for (std::int64_t i = 0; i < count; ++i) drawn.next();
      skipped.skip(count);
      EXPECT_EQ(skipped.position(), drawn.position());
      const Batch a = drawn.next(), b = skipped.next();
      EXPECT_TRUE(torch::equal(a.images, b.images));
      EXPECT_TRUE(torch::equal(a.labels, b.labels));
    }
  }
  BatchIterator it(data, Normalization::of(data), BatchIteratorOptions().batch_size(4));
  EXPECT_THROW(it.skip(-1), std::invalid_argument);
}

TEST(Augment, CropFlipAndCutoutKeepTheShape) {
  std::mt19937_64 rng(1);
  const torch::Tensor batch = torch::rand({5, 3, 8, 8});
  const torch::Tensor out = augment(batch, AugmentOptions().crop_padding(2).horizontal_flip(true).cutout(4), rng);
  EXPECT_EQ(out.sizes(), batch.sizes());
  EXPECT_FALSE(torch::equal(out, batch));
  EXPECT_TRUE(torch::equal(augment(batch, AugmentOptions(), rng), batch));
  // Cutout alone zeroes a square of at most 4x4 per image.
  const torch::Tensor cut = augment(torch::ones({20, 1, 8, 8}), AugmentOptions().cutout(4), rng);
  const torch::Tensor zeros = (cut == 0).sum({1, 2, 3});
  EXPECT_TRUE((zeros <= 16).all().item<bool>());
  EXPECT_TRUE((zeros > 0).all().item<bool>());
}

}  // namespace
}  // namespace experiments
