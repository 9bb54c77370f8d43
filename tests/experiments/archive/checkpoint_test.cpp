#include "experiments/archive/checkpoint.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/experiments/data/data_files.h"
#include "tests/experiments/error_text.h"

namespace experiments {
namespace {

TEST(Checkpoint, RoundTripsTensorsScalarsAndTexts) {
  testing::TempDir dir;
  Checkpoint saved;
  saved.tensors["store.c0.weight"] = torch::randn({3, 4, 1, 1});
  saved.tensors["generator"] = torch::randint(0, 255, {16}, torch::kByte);
  saved.tensors["ids"] = torch::tensor({1, 2, 3}, torch::kLong);
  saved.tensors["scalar"] = torch::tensor(2.5, torch::kDouble);
  saved.scalars["epoch"] = 3;
  saved.scalars["baseline"] = 0.875;
  saved.texts["rng"] = "1 2 3 4";
  saved.texts["empty"] = "";
  const std::string path = checkpoint_path(dir.path().string(), 3);
  write_checkpoint(path, saved);
  const Checkpoint loaded = read_checkpoint(path);
  ASSERT_EQ(loaded.tensors.size(), saved.tensors.size());
  for (const auto& [name, tensor] : saved.tensors) {
    EXPECT_TRUE(torch::equal(loaded.tensors.at(name), tensor)) << name;
    EXPECT_EQ(loaded.tensors.at(name).scalar_type(), tensor.scalar_type()) << name;
  }
  EXPECT_EQ(loaded.scalars, saved.scalars);
  EXPECT_EQ(loaded.texts, saved.texts);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(Checkpoint, ListsNewestLastAndIgnoresTornTemporaries) {
  testing::TempDir dir;
  write_checkpoint(checkpoint_path(dir.path().string(), 2), Checkpoint{});
  write_checkpoint(checkpoint_path(dir.path().string(), 10), Checkpoint{});
  std::ofstream(checkpoint_path(dir.path().string(), 11) + ".tmp") << "half written";
  const auto paths = list_checkpoints(dir.path().string());
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths.back(), checkpoint_path(dir.path().string(), 10));
}

// An epoch's in-epoch checkpoints come after the previous epoch's end and
// before its own end; a newer one supersedes the older in-epoch ones only.
TEST(Checkpoint, InEpochCheckpointsSortBetweenEpochEndsAndAreSupersededByNewerOnes) {
  testing::TempDir dir;
  const std::string d = dir.path().string();
  write_checkpoint(checkpoint_path(d, 2), Checkpoint{});
  write_checkpoint(in_epoch_checkpoint_path(d, 3, 0, 0), Checkpoint{});
  write_checkpoint(in_epoch_checkpoint_path(d, 3, 1, 120), Checkpoint{});
  write_checkpoint(checkpoint_path(d, 3), Checkpoint{});
  write_checkpoint(in_epoch_checkpoint_path(d, 4, 1, 40), Checkpoint{});
  EXPECT_EQ(list_checkpoints(d),
            (std::vector<std::string>{checkpoint_path(d, 2), in_epoch_checkpoint_path(d, 3, 0, 0),
                                      in_epoch_checkpoint_path(d, 3, 1, 120), checkpoint_path(d, 3),
                                      in_epoch_checkpoint_path(d, 4, 1, 40)}));
  prune_checkpoints(d, in_epoch_checkpoint_path(d, 3, 1, 120), 0);
  EXPECT_EQ(list_checkpoints(d),
            (std::vector<std::string>{checkpoint_path(d, 2), in_epoch_checkpoint_path(d, 3, 1, 120),
                                      checkpoint_path(d, 3), in_epoch_checkpoint_path(d, 4, 1, 40)}));
  prune_checkpoints(d, in_epoch_checkpoint_path(d, 4, 1, 40), 0);
  EXPECT_EQ(list_checkpoints(d), (std::vector<std::string>{checkpoint_path(d, 2), checkpoint_path(d, 3),
                                                           in_epoch_checkpoint_path(d, 4, 1, 40)}));
}

// keep_checkpoints = N keeps the N newest epoch-end checkpoints, whatever
// in-epoch checkpoint is newer, and never the newest one a resume needs.
TEST(Checkpoint, PruningKeepsTheNewestEpochEndsAndTheNewestCheckpoint) {
  testing::TempDir dir;
  const std::string d = dir.path().string();
  for (std::int64_t epoch = 1; epoch <= 4; ++epoch) {
    write_checkpoint(checkpoint_path(d, epoch), Checkpoint{});
    prune_checkpoints(d, checkpoint_path(d, epoch), 2);
  }
  EXPECT_EQ(list_checkpoints(d), (std::vector<std::string>{checkpoint_path(d, 3), checkpoint_path(d, 4)}));
  write_checkpoint(in_epoch_checkpoint_path(d, 5, 1, 0), Checkpoint{});
  prune_checkpoints(d, in_epoch_checkpoint_path(d, 5, 1, 0), 1);
  EXPECT_EQ(list_checkpoints(d),
            (std::vector<std::string>{checkpoint_path(d, 4), in_epoch_checkpoint_path(d, 5, 1, 0)}));
  // The checkpoint just written is kept even where keep would drop it.
  write_checkpoint(checkpoint_path(d, 5), Checkpoint{});
  write_checkpoint(checkpoint_path(d, 6), Checkpoint{});
  prune_checkpoints(d, checkpoint_path(d, 5), 1);
  EXPECT_EQ(list_checkpoints(d), (std::vector<std::string>{checkpoint_path(d, 5), checkpoint_path(d, 6)}));
}

// Found by fuzz_checkpoint_reader: the reader allocated whatever extent a
// dataset announced (a chunked dataset can announce terabytes and store
// nothing), read rank-2 name lists into one count, and read more scalar
// values than names into the names' buffer. Each is now an ArchiveError
// naming the file and the dataset, before any allocation.
TEST(Checkpoint, DatasetsThatAnnounceMoreThanTheyStoreAreRefused) {
  testing::TempDir dir;
  const std::string path = dir.file("c.h5");
  Checkpoint saved;
  saved.tensors["w"] = torch::ones({2});
  saved.scalars["epoch"] = 1;
  {
    write_checkpoint(path, saved);
    H5::H5File file(path, H5F_ACC_RDWR);
    const hsize_t huge = hsize_t{1} << 40, chunk = 1024;
    H5::DSetCreatPropList chunked;
    chunked.setChunk(1, &chunk);
    file.openGroup("tensors").createDataSet("huge", H5::PredType::NATIVE_FLOAT, H5::DataSpace(1, &huge), chunked);
  }
  std::string message = testing::error_text<ArchiveError>([&] { read_checkpoint(path); });
  EXPECT_NE(message.find(path + ": tensor 'huge': announces 1099511627776 (4398046511104 bytes) but stores 0"),
            std::string::npos)
      << message;

  {
    write_checkpoint(path, saved);
    H5::H5File file(path, H5F_ACC_RDWR);
    file.unlink("scalar_values");
    const hsize_t three = 3;
    const double values[] = {1, 2, 3};
    file.createDataSet("scalar_values", H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, &three))
        .write(values, H5::PredType::NATIVE_DOUBLE);
  }
  message = testing::error_text<ArchiveError>([&] { read_checkpoint(path); });
  EXPECT_NE(message.find("scalar names and values differ in number"), std::string::npos) << message;

  {
    write_checkpoint(path, saved);
    H5::H5File file(path, H5F_ACC_RDWR);
    file.unlink("text_names");
    const hsize_t dims[] = {1, 2};
    file.createDataSet("text_names", H5::PredType::NATIVE_INT64, H5::DataSpace(2, dims));
  }
  message = testing::error_text<ArchiveError>([&] { read_checkpoint(path); });
  EXPECT_NE(message.find("'text_names': has 2 dimensions, not 1"), std::string::npos) << message;
}

TEST(Checkpoint, CorruptOrForeignFilesAreNamed) {
  testing::TempDir dir;
  const std::string path = checkpoint_path(dir.path().string(), 1);
  write_checkpoint(path, Checkpoint{{{"w", torch::ones({1000})}}, {}, {}});
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);  // torn
  try {
    read_checkpoint(path);
    FAIL();
  } catch (const ArchiveError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  H5::H5File(dir.file("unchecksummed.h5"), H5F_ACC_EXCL).close();  // HDF5's default format: no checksums
  const std::string message = testing::error_text<ArchiveError>([&] { read_checkpoint(dir.file("unchecksummed.h5")); });
  EXPECT_NE(message.find("an HDF5 file without checksums (superblock version 0): a checkpoint of an earlier build"),
            std::string::npos)
      << message;
  std::ofstream(dir.file("foreign.h5")) << "hello";
  EXPECT_THROW(read_checkpoint(dir.file("foreign.h5")), ArchiveError);
  EXPECT_THROW(read_checkpoint(dir.file("missing.h5")), ArchiveError);
}

}  // namespace
}  // namespace experiments
