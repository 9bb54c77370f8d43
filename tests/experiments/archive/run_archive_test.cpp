#include "experiments/archive/run_archive.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>

#include "tests/experiments/data/data_files.h"

namespace experiments {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<SampledArch> some_archs(std::int64_t epoch, int n) {
  std::vector<SampledArch> archs;
  for (int i = 0; i < n; ++i) {
    archs.push_back({epoch, i, "controller", "enas", {i, 1, 0}, "arc " + std::to_string(i), 0.1 * i, std::nan("")});
  }
  return archs;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ArchiveError& e) {
    return e.what();
  }
  return "no error";
}

TEST(RunArchive, AppendsAndReopensWithEveryRow) {
  testing::TempDir dir;
  const std::string path = dir.file("run.h5");
  {
    auto archive = RunArchive::create(path, "toy(n=3)", 3, "[run]\nseed = 1\n");
    archive->append(some_archs(0, 4), {{0, 0, 1.5, 0.2, 0.1, 3.0}});
    archive->append(some_archs(1, 2), {});
  }
  auto archive = RunArchive::open(path, "toy(n=3)", 3);
  EXPECT_EQ(archive->counts().archs, 6u);
  EXPECT_EQ(archive->counts().updates, 1u);
  EXPECT_EQ(archive->config(), "[run]\nseed = 1\n");
  archive->append(some_archs(2, 1), {{2, 5, 1.0, 0.3, 0.2, 2.5}});
  EXPECT_EQ(archive->counts().archs, 7u);
}

TEST(RunArchive, TruncatesToACheckpointsRowCounts) {
  testing::TempDir dir;
  const std::string path = dir.file("run.h5");
  {
    auto archive = RunArchive::create(path, "toy", 3, "");
    archive->append(some_archs(0, 5), {{0, 0, 1, 1, 1, 1}, {0, 1, 1, 1, 1, 1}});
    archive->append_stages(
        {{1, {0, 1, -1}, "a", 0.5, 0.1, 0.4}, {1, {1, 1, -1}, "b", 0.6, 0.1, 0.7}, {2, {1, 1, 2}, "c", 0.8, 0.2, 0.75}},
        {{1, 2, 0.1, 0.5, 0.4, kNaN, kNaN}, {2, 9, 0.05, 0.9, 0.8, 0.99, 0.5}},
        {{1, {1, 2, 2}, {0, 1, 2}, "d", "a", 3.0, 0.7, 0.1}, {1, {2, 2, 2}, {-1, -1, -1}, "e", "", kNaN, kNaN, kNaN}});
    EXPECT_EQ(archive->counts().generated, 2u);
    archive->truncate({3, 1, 2, 1, 1});
  }
  auto archive = RunArchive::open(path, "toy", 3);
  EXPECT_EQ(archive->counts().archs, 3u);
  EXPECT_EQ(archive->counts().updates, 1u);
  EXPECT_EQ(archive->counts().stage_rows, 2u);
  EXPECT_EQ(archive->counts().stages, 1u);
  EXPECT_EQ(archive->counts().generated, 1u);
}

TEST(RunArchive, IsPlainHdf5ForOtherReaders) {
  testing::TempDir dir;
  const std::string path = dir.file("run.h5");
  RunArchive::create(path, "toy", 3, "x")->append(some_archs(0, 2), {});
  if (std::system("command -v h5dump > /dev/null 2>&1") != 0) GTEST_SKIP() << "h5dump (hdf5-tools) is not installed";
  const std::string out = dir.file("dump.txt");
  ASSERT_EQ(std::system(("h5dump -d /archs/tokens " + path + " > " + out).c_str()), 0);
  std::ifstream dump(out);
  const std::string text((std::istreambuf_iterator<char>(dump)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("DATASPACE  SIMPLE { ( 2, 3 ) / ( H5S_UNLIMITED, 3 ) }"), std::string::npos) << text;
}

TEST(RunArchive, RefusesToOverwriteAndNamesForeignOrMismatchedFiles) {
  testing::TempDir dir;
  const std::string path = dir.file("run.h5");
  RunArchive::create(path, "toy", 3, "");
  EXPECT_NE(error_of([&] { RunArchive::create(path, "toy", 3, ""); }).find("already exists"), std::string::npos);
  EXPECT_NE(error_of([&] { RunArchive::open(path, "other", 3); }).find("records space toy"), std::string::npos);
  EXPECT_NE(error_of([&] { RunArchive::open(path, "toy", 4); }).find("rows hold 3 values, expected 4"),
            std::string::npos);
  std::ofstream(dir.file("junk.h5")) << "not hdf5";
  EXPECT_NE(error_of([&] { RunArchive::open(dir.file("junk.h5"), "toy", 3); }).find("not an HDF5 file"),
            std::string::npos);
  EXPECT_NE(error_of([&] { RunArchive::open(dir.file("none.h5"), "toy", 3); }).find("no such run archive"),
            std::string::npos);
  {
    H5::H5File other(dir.file("newer.h5"), H5F_ACC_EXCL);
    const std::int64_t version = RunArchive::kLayoutVersion + 1;
    other.createAttribute("layout_version", H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_INT64, &version);
  }
  std::string newer = std::to_string(RunArchive::kLayoutVersion + 1);
  newer.insert(0, "layout version ");
  EXPECT_NE(error_of([&] { RunArchive::open(dir.file("newer.h5"), "toy", 3); }).find(newer), std::string::npos);
}

}  // namespace
}  // namespace experiments
