#include "experiments/data/idx_reader.h"

#include <gtest/gtest.h>

#include "tests/experiments/data/data_files.h"
#include "tests/experiments/error_text.h"

namespace experiments {
namespace {

TEST(IdxReader, ReadsPlainAndGzipFiles) {
  for (bool gzip : {false, true}) {
    testing::TempDir dir;
    testing::write_mnist_like(dir, "train", 12, gzip);
    const Dataset data = load_mnist_format(dir.path().string(), "train", "toy");
    ASSERT_EQ(data.size(), 12);
    EXPECT_EQ(data.images.sizes(), (std::vector<std::int64_t>{12, 1, 28, 28}));
    EXPECT_EQ(data.images[5].max().item<int>(), 5);
    EXPECT_EQ(data.labels[11].item<std::int64_t>(), 1);
    EXPECT_EQ(data.name, "toy train");
  }
}

TEST(IdxReader, RejectsATruncatedFileNamingIt) {
  testing::TempDir dir;
  const auto bytes = testing::idx_bytes(0x803, {3, 28, 28}, std::vector<unsigned char>(2 * 28 * 28, 1));
  testing::write_bytes(dir.file("images"), bytes, false);
  testing::write_bytes(dir.file("labels"), testing::idx_bytes(0x801, {3}, {0, 1, 2}), false);
  const std::string message =
      testing::error_text<DataError>([&] { read_idx_dataset(dir.file("images"), dir.file("labels"), "x"); });
  EXPECT_NE(message.find(dir.file("images")), std::string::npos) << message;
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
}

// Found by fuzz_idx_reader: the reader allocated what a header announced
// before reading a byte of data (7 GB for a 1 kB file), and multiplied
// dimensions without overflow checks. Now memory follows the bytes the
// file really holds, and an impossible shape is refused by name.
TEST(IdxReader, AnnouncedSizesCostNoMemoryBeforeTheDataIsThere) {
  testing::TempDir dir;
  testing::write_bytes(dir.file("labels"), testing::idx_bytes(0x801, {2}, {0, 1}), false);
  // 2^39 bytes (512 GB) announced, 100 present.
  testing::write_bytes(dir.file("images"),
                       testing::idx_bytes(0x803, {1U << 28, 1U << 11, 1}, std::vector<unsigned char>(100, 1)), false);
  std::string message =
      testing::error_text<DataError>([&] { read_idx_dataset(dir.file("images"), dir.file("labels"), "x"); });
  EXPECT_NE(message.find("truncated: the data needs 549755813888 bytes, the file has 100"), std::string::npos)
      << message;
  // 2^84 bytes: more than 64 bits can count, and more than any IDX file holds.
  testing::write_bytes(dir.file("images"), testing::idx_bytes(0x803, {1U << 28, 1U << 28, 1U << 28}, {1, 2, 3}), true);
  message = testing::error_text<DataError>([&] { read_idx_dataset(dir.file("images"), dir.file("labels"), "x"); });
  EXPECT_NE(message.find("implausible shape"), std::string::npos) << message;
}

TEST(IdxReader, RejectsAWrongMagicNumber) {
  testing::TempDir dir;
  testing::write_bytes(dir.file("images"), testing::idx_bytes(0x801, {4}, {0, 1, 2, 3}), true);  // a label file
  testing::write_bytes(dir.file("labels"), testing::idx_bytes(0x801, {4}, {0, 1, 2, 3}), true);
  const std::string message =
      testing::error_text<DataError>([&] { read_idx_dataset(dir.file("images"), dir.file("labels"), "x"); });
  EXPECT_NE(message.find("wrong magic number 0x00000801, expected 0x00000803"), std::string::npos) << message;
}

TEST(IdxReader, RejectsTrailingBytesMismatchedCountsBadLabelsAndMissingFiles) {
  testing::TempDir dir;
  testing::write_bytes(dir.file("images"),
                       testing::idx_bytes(0x803, {2, 28, 28}, std::vector<unsigned char>(2 * 784 + 5)), false);
  testing::write_bytes(dir.file("labels"), testing::idx_bytes(0x801, {2}, {0, 1}), false);
  EXPECT_NE(testing::error_text<DataError>([&] {
              read_idx_dataset(dir.file("images"), dir.file("labels"), "x");
            }).find("longer than its header"),
            std::string::npos);
  testing::write_bytes(dir.file("images"), testing::idx_bytes(0x803, {2, 28, 28}, std::vector<unsigned char>(2 * 784)),
                       false);
  testing::write_bytes(dir.file("labels"), testing::idx_bytes(0x801, {3}, {0, 1, 2}), false);
  EXPECT_NE(testing::error_text<DataError>([&] {
              read_idx_dataset(dir.file("images"), dir.file("labels"), "x");
            }).find("has 3 labels"),
            std::string::npos);
  testing::write_bytes(dir.file("labels"), testing::idx_bytes(0x801, {2}, {0, 12}), false);
  EXPECT_NE(testing::error_text<DataError>([&] {
              read_idx_dataset(dir.file("images"), dir.file("labels"), "x");
            }).find("label 12"),
            std::string::npos);
  EXPECT_NE(
      testing::error_text<DataError>([&] { load_mnist_format(dir.path().string(), "test", "x"); }).find("no such file"),
      std::string::npos);
}

// A suite of its own, so that ctest reports the skip (tests/gtest_suites.cmake).
TEST(IdxReaderOfDebiansDataset, ReadsFashionMnistWhenInstalled) {
  if (!std::filesystem::exists(std::string(kDefaultFashionMnistDir) + "/t10k-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  const Dataset test = load_mnist_format(kDefaultFashionMnistDir, "test", "fashion-mnist");
  EXPECT_EQ(test.size(), 10000);
  EXPECT_EQ(test.image_size(), 28);
  EXPECT_EQ(torch::bincount(test.labels).min().item<std::int64_t>(), 1000);  // balanced classes
}

}  // namespace
}  // namespace experiments
