#include "experiments/archive/run_archive.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include "experiments/archive/train_archive.h"
#include "tests/experiments/data/data_files.h"
#include "tests/experiments/error_text.h"

namespace experiments {
namespace {

std::vector<spaces::Record> some_archs(std::int64_t epoch, int n) {
  std::vector<spaces::Record> rows;
  for (int i = 0; i < n; ++i) {
    rows.push_back(spaces::Record("archs")
                       .set("epoch", epoch)
                       .set("phase", std::string("controller"))
                       .set("tokens", std::vector<std::int64_t>{i, 1, 0})
                       .set("canonical", "arc " + std::to_string(i))
                       .set("accuracy", 0.1 * i));
  }
  return rows;
}

TEST(RunArchive, AppendsTablesOfRecordsAndReopensWithEveryRow) {
  testing::TempDir dir;
  const std::string path = dir.file("run.h5");
  {
    auto archive = RunArchive::create(path, "toy(n=3)", "[run]\nseed = 1\n");
    std::vector<spaces::Record> rows = some_archs(0, 4);
    rows.push_back(spaces::Record("controller").set("epoch", std::int64_t{0}).set("loss", 1.5));
    archive->append(rows);
    archive->append(some_archs(1, 2));
  }
  auto archive = RunArchive::open(path, "toy(n=3)");
  EXPECT_EQ(archive->counts(), (RunArchive::RowCounts{{"archs", 6}, {"controller", 1}}));
  EXPECT_EQ(archive->config(), "[run]\nseed = 1\n");
  const TableColumns archs = archive->read("archs");
  EXPECT_EQ(archs.rows, 6u);
  EXPECT_EQ(archs.integers.at("epoch"), (std::vector<std::int64_t>{0, 0, 0, 0, 1, 1}));
  EXPECT_EQ(archs.texts.at("canonical")[5], "arc 1");
  EXPECT_EQ(archs.integer_rows.at("tokens")[3], (std::vector<std::int64_t>{3, 1, 0}));
  EXPECT_DOUBLE_EQ(archs.numbers.at("accuracy")[2], 0.2);
}

// A column or table that first appears later: earlier rows read as NaN, -1
// or ""; shorter integer rows are padded with -1; arrays keep their shape.
TEST(RunArchive, NewColumnsAndTablesNeedNoNewLayout) {
  testing::TempDir dir;
  const std::string path = dir.file("run.h5");
  auto archive = RunArchive::create(path, "toy", "");
  archive->append(some_archs(0, 2));
  archive->append({spaces::Record("archs")
                       .set("epoch", std::int64_t{1})
                       .set("tokens", std::vector<std::int64_t>{7})
                       .set("macs", 1234.0)
                       .set("evaluator", std::string("trial")),
                   spaces::Record("alpha").set("normal", spaces::NumberArray{{2, 3}, {1, 2, 3, 4, 5, 6}})});
  const TableColumns archs = archive->read("archs");
  ASSERT_EQ(archs.rows, 3u);
  EXPECT_TRUE(std::isnan(archs.numbers.at("macs")[0]));
  EXPECT_DOUBLE_EQ(archs.numbers.at("macs")[2], 1234.0);
  EXPECT_TRUE(std::isnan(archs.numbers.at("accuracy")[2]));
  EXPECT_EQ(archs.texts.at("evaluator")[0], "");
  EXPECT_EQ(archs.texts.at("canonical")[2], "");
  EXPECT_EQ(archs.integer_rows.at("tokens")[2], (std::vector<std::int64_t>{7, -1, -1}));
  const TableColumns alpha = read_archive_table(path, "alpha");
  ASSERT_EQ(alpha.rows, 1u);
  EXPECT_EQ(alpha.number_arrays.at("normal")[0], (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(read_archive_table(path, "absent").rows, 0u);
  // A value of another kind than its column, or a longer row, is a programming error.
  EXPECT_THROW(archive->append({spaces::Record("archs").set("epoch", 2.5)}), std::logic_error);
  EXPECT_THROW(archive->append({spaces::Record("archs").set("tokens", std::vector<std::int64_t>{1, 2, 3, 4})}),
               std::logic_error);
}

TEST(RunArchive, TruncatesEveryTableToACheckpointsRowCounts) {
  testing::TempDir dir;
  const std::string path = dir.file("run.h5");
  {
    auto archive = RunArchive::create(path, "toy", "");
    std::vector<spaces::Record> rows = some_archs(0, 5);
    rows.push_back(spaces::Record("stages").set("stage", std::int64_t{1}));
    rows.push_back(spaces::Record("stages").set("stage", std::int64_t{2}));
    archive->append(rows);
    const RunArchive::RowCounts at_checkpoint = {{"archs", 3}, {"stages", 1}};
    archive->append({spaces::Record("generated").set("stage", std::int64_t{2})});  // a table born after it
    archive->truncate(at_checkpoint);
  }
  auto archive = RunArchive::open(path, "toy");
  EXPECT_EQ(archive->counts(), (RunArchive::RowCounts{{"archs", 3}, {"generated", 0}, {"stages", 1}}));
}

TEST(RunArchive, ReadsTheFinalArchitecturesOfASearchBestFirst) {
  testing::TempDir dir;
  const std::string path = dir.file("run.h5");
  auto archive = RunArchive::create(path, "toy", "cfg");
  std::vector<spaces::Record> rows = some_archs(0, 3);
  for (const auto& [tokens, accuracy] : std::vector<std::pair<std::int64_t, double>>{{1, 0.5}, {2, 0.9}}) {
    rows.push_back(spaces::Record("archs")
                       .set("phase", std::string("final"))
                       .set("tokens", std::vector<std::int64_t>{tokens, 0, 0})
                       .set("canonical", std::to_string(tokens))
                       .set("accuracy", accuracy));
  }
  archive->append(rows);
  const SearchOutcome outcome = read_search_outcome(path);
  EXPECT_EQ(outcome.space, "toy");
  EXPECT_EQ(outcome.config, "cfg");
  ASSERT_EQ(outcome.final_archs.size(), 2u);
  EXPECT_EQ(outcome.final_archs[0].canonical, "2");
  EXPECT_DOUBLE_EQ(outcome.final_archs[0].accuracy, 0.9);
}

// A suite of its own, so that ctest reports the skip (tests/gtest_suites.cmake).
TEST(RunArchiveThroughH5dump, IsPlainHdf5ForOtherReaders) {
  testing::TempDir dir;
  const std::string path = dir.file("run.h5");
  RunArchive::create(path, "toy", "x")->append(some_archs(0, 2));
  if (std::system("command -v h5dump > /dev/null 2>&1") != 0) GTEST_SKIP() << "h5dump (hdf5-tools) is not installed";
  const std::string out = dir.file("dump.txt");
  ASSERT_EQ(std::system(("h5dump -d /archs/tokens " + path + " > " + out).c_str()), 0);
  std::ifstream dump(out);
  const std::string text((std::istreambuf_iterator<char>(dump)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("DATASPACE  SIMPLE { ( 2, 3 ) / ( H5S_UNLIMITED, 3 ) }"), std::string::npos) << text;
}

// Found by fuzz_archive_reader: a table's columns were trusted to hold the
// rows their extent announces (reading allocated the announcement), and
// HDF5's own exceptions escaped reads of an archive that had opened. Both
// are ArchiveErrors naming the file now.
TEST(RunArchive, TablesThatAnnounceMoreRowsThanTheyStoreAreRefused) {
  testing::TempDir dir;
  const std::string path = dir.file("train.h5");
  TrainArchive::create(path, "toy", "arc 1", "")->append(EpochRecord{1, 0.5, 0.8, 0.6, 0.75, 0.1, 0.0, 3.0});
  {
    // Each column replaced by one that announces 2^40 rows and stores none.
    H5::H5File file(path, H5F_ACC_RDWR);
    H5::Group epochs = file.openGroup("epochs");
    const hsize_t huge = hsize_t{1} << 40, unlimited = H5S_UNLIMITED, chunk = 1024;
    H5::DSetCreatPropList chunked;
    chunked.setChunk(1, &chunk);
    for (hsize_t i = 0; i < epochs.getNumObjs(); ++i) {
      const std::string name = epochs.getObjnameByIdx(i);
      const H5::DataType type = epochs.openDataSet(name).getDataType();
      epochs.unlink(name);
      epochs.createDataSet(name, type, H5::DataSpace(1, &huge, &unlimited), chunked);
    }
  }
  const std::string message = testing::error_text<ArchiveError>([&] { TrainArchive::open(path, "toy", "arc 1"); });
  EXPECT_NE(message.find(path + ": 'epochs'/"), std::string::npos) << message;
  EXPECT_NE(message.find("announces 1099511627776 (8796093022208 bytes) but stores"), std::string::npos) << message;
}

TEST(RunArchive, HdfErrorsWhileReadingAnOpenArchiveAreArchiveErrors) {
  testing::TempDir dir;
  const std::string path = dir.file("run.h5");
  RunArchive::create(path, "toy(n=3)", "")->append(some_archs(0, 2));
  {
    // /archs/accuracy kept in an external file that is then lost: HDF5
    // opens the table and fails only when it reads the column.
    H5::H5File file(path, H5F_ACC_RDWR);
    H5::Group archs = file.openGroup("archs");
    archs.unlink("accuracy");
    const hsize_t rows = 2;
    const double values[] = {0.5, 0.25};
    H5::DSetCreatPropList external;
    external.setExternal(dir.file("accuracy.bin").c_str(), 0, sizeof values);
    archs.createDataSet("accuracy", H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, &rows), external)
        .write(values, H5::PredType::NATIVE_DOUBLE);
  }
  std::filesystem::remove(dir.file("accuracy.bin"));
  auto archive = RunArchive::open(path, "toy(n=3)");
  const std::string message = testing::error_text<ArchiveError>([&] { archive->read("archs"); });
  EXPECT_NE(message.find(path + ": table '/archs' is unreadable"), std::string::npos) << message;
}

TEST(RunArchive, RefusesToOverwriteAndNamesForeignOrMismatchedFiles) {
  testing::TempDir dir;
  const std::string path = dir.file("run.h5");
  RunArchive::create(path, "toy", "");
  EXPECT_NE(testing::error_text<ArchiveError>([&] { RunArchive::create(path, "toy", ""); }).find("already exists"),
            std::string::npos);
  EXPECT_NE(testing::error_text<ArchiveError>([&] { RunArchive::open(path, "other"); }).find("records space toy"),
            std::string::npos);
  std::ofstream(dir.file("junk.h5")) << "not hdf5";
  EXPECT_NE(
      testing::error_text<ArchiveError>([&] { RunArchive::open(dir.file("junk.h5"), "toy"); }).find("not an HDF5 file"),
      std::string::npos);
  EXPECT_NE(testing::error_text<ArchiveError>([&] {
              RunArchive::open(dir.file("none.h5"), "toy");
            }).find("no such run archive"),
            std::string::npos);
  {
    H5::H5File other = create_checksummed_file(dir.file("newer.h5"));
    const std::int64_t version = RunArchive::kLayoutVersion + 1;
    other.createAttribute("layout_version", H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_INT64, &version);
  }
  std::string newer = std::to_string(RunArchive::kLayoutVersion + 1);
  newer.insert(0, "layout version ");
  EXPECT_NE(testing::error_text<ArchiveError>([&] { RunArchive::open(dir.file("newer.h5"), "toy"); }).find(newer),
            std::string::npos);
  EXPECT_NE(testing::error_text<ArchiveError>([&] { read_search_outcome(dir.file("newer.h5")); }).find(newer),
            std::string::npos);
}

// libhdf5 crashes or loops on some corrupt files without checksums (found
// by fuzz_archive_reader; see h5_util.h): ours carry checksums, and a file
// without them (HDF5's default format: an archive of an earlier build, or
// another program's) is refused before libhdf5 reads its metadata.
TEST(RunArchive, FilesWithoutChecksumsAreRefusedBeforeHdf5ParsesThem) {
  testing::TempDir dir;
  const std::string ours = dir.file("run.h5");
  RunArchive::create(ours, "toy", "")->append(some_archs(0, 1));
  char head[9] = {};
  std::ifstream(ours, std::ios::binary).read(head, sizeof head);
  EXPECT_GE(static_cast<int>(head[8]), 2) << "superblock version";

  const std::string old = dir.file("old.h5");
  H5::H5File(old, H5F_ACC_EXCL).close();
  for (const std::string& message :
       {testing::error_text<ArchiveError>([&] { RunArchive::open(old, "toy"); }),
        testing::error_text<ArchiveError>([&] { read_search_outcome(old); }),
        testing::error_text<ArchiveError>([&] { read_archive_config(old); }),
        testing::error_text<ArchiveError>([&] { TrainArchive::open(old, "toy", "arc 0"); })}) {
    EXPECT_NE(message.find(old + ": an HDF5 file without checksums (superblock version 0)"), std::string::npos)
        << message;
  }
  // Metadata corrupted in place fails its checksum: an ArchiveError.
  {
    std::fstream file(ours, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(20);
    file.put('\x5a');
  }
  EXPECT_THROW(read_search_outcome(ours), ArchiveError);
}

// A column that first appears after more rows than one chunk holds: the
// rows before it still count as stored (chunks are allocated as rows are
// added), so the table reads back rather than being refused as torn.
TEST(RunArchive, AColumnAddedAfterManyRowsReadsBack) {
  testing::TempDir dir;
  const std::string path = dir.file("run.h5");
  {
    auto archive = RunArchive::create(path, "toy", "");
    archive->append(some_archs(0, 1500));
    archive->append({spaces::Record("archs").set("epoch", std::int64_t{1}).set("loss", 0.5)});
  }
  const TableColumns archs = RunArchive::open(path, "toy")->read("archs");
  ASSERT_EQ(archs.rows, 1501u);
  EXPECT_TRUE(std::isnan(archs.numbers.at("loss")[1499]));
  EXPECT_DOUBLE_EQ(archs.numbers.at("loss")[1500], 0.5);
  EXPECT_EQ(archs.texts.at("canonical")[1500], "");
}

// Texts are fixed-length strings (no variable-length data, see h5_util.h)
// as wide as the longest so far: a longer one widens its column and every
// earlier row reads back unchanged; configs longer than HDF5's 64 kB
// compact attributes are kept whole; a NUL byte is refused.
TEST(RunArchive, TextsOfAnyLengthReadBackAsWritten) {
  testing::TempDir dir;
  const std::string path = dir.file("run.h5");
  std::string config;
  while (config.size() < 100000) config += "# a long comment line of a config\n";
  std::vector<std::string> written;
  {
    auto archive = RunArchive::create(path, "toy", config);
    for (const std::size_t length : {3, 1, 40, 0, 700, 5}) {
      written.push_back(std::string(length, static_cast<char>('a' + written.size())));
      archive->append({spaces::Record("archs").set("epoch", std::int64_t{0}).set("canonical", written.back())});
    }
    EXPECT_THROW(archive->append({spaces::Record("archs").set("canonical", std::string("a\0b", 3))}),
                 std::invalid_argument);
  }
  EXPECT_EQ(read_archive_config(path), config);
  const TableColumns archs = RunArchive::open(path, "toy")->read("archs");
  EXPECT_EQ(archs.texts.at("canonical"), written);
}

}  // namespace
}  // namespace experiments
