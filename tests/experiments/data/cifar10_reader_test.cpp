#include "experiments/data/cifar10_reader.h"

#include <gtest/gtest.h>

#include "tests/experiments/data/data_files.h"

namespace experiments {
namespace {

std::vector<unsigned char> records(int n, unsigned char first_label) {
  std::vector<unsigned char> bytes;
  for (int i = 0; i < n; ++i) {
    bytes.push_back(static_cast<unsigned char>((first_label + i) % 10));
    for (int c = 0; c < 3; ++c) bytes.insert(bytes.end(), 1024, static_cast<unsigned char>(10 * c + i));
  }
  return bytes;
}

TEST(Cifar10Reader, ReadsRecordsAsLabelThenPlanarRgb) {
  testing::TempDir dir;
  testing::write_bytes(dir.file("a.bin"), records(3, 7), false);
  testing::write_bytes(dir.file("b.bin"), records(2, 0), false);
  const Dataset data = read_cifar10_batches({dir.file("a.bin"), dir.file("b.bin")}, "toy");
  ASSERT_EQ(data.size(), 5);
  EXPECT_EQ(data.images.sizes(), (std::vector<std::int64_t>{5, 3, 32, 32}));
  EXPECT_EQ(data.labels[1].item<std::int64_t>(), 8);
  EXPECT_EQ(data.labels[2].item<std::int64_t>(), 9);
  EXPECT_EQ(data.images[2][1][5][5].item<int>(), 12);  // channel 1 of record 2
}

TEST(Cifar10Reader, RejectsPartialRecordsAndForeignLabels) {
  testing::TempDir dir;
  auto bytes = records(2, 0);
  bytes.pop_back();
  testing::write_bytes(dir.file("cut.bin"), bytes, false);
  try {
    read_cifar10_batches({dir.file("cut.bin")}, "x");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(dir.file("cut.bin")), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("not a whole number"), std::string::npos);
  }
  auto foreign = records(1, 0);
  foreign[0] = 200;
  testing::write_bytes(dir.file("foreign.bin"), foreign, false);
  EXPECT_THROW(read_cifar10_batches({dir.file("foreign.bin")}, "x"), DataError);
  EXPECT_THROW(load_cifar10(dir.path().string(), "train"), DataError);  // no data_batch_1.bin
}

}  // namespace
}  // namespace experiments
