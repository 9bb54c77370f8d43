#include "experiments/data/csv_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "experiments/data/load.h"
#include "tests/experiments/data/data_files.h"

namespace experiments {
namespace {

std::string write_csv(testing::TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.file(name);
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::string& path, const CsvOptions& options = {}) {
  try {
    read_csv_dataset(path, options);
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

// Ten rows: a numeric column with one empty field, a categorical one, the label last.
std::string ten_rows() {
  std::string text = "size, color ,label\r\n";
  const char* colors[] = {"red", "blue", "\"green, light\""};
  for (int i = 0; i < 10; ++i) {
    text +=
        (i == 4 ? std::string("") : std::to_string(i)) + "," + colors[i % 3] + "," + (i % 2 ? "yes" : "no") + "\r\n";
  }
  return text + "\n";
}

TEST(CsvReader, NumericColumnsStayOneHotColumnsSpreadAndClassesAreSorted) {
  testing::TempDir dir;
  CsvOptions options;
  options.test_fraction = 0.3;
  const CsvData data = read_csv_dataset(write_csv(dir, "t.csv", ten_rows()), options);
  EXPECT_EQ(data.features, (std::vector<std::string>{"size", "color=blue", "color=green, light", "color=red"}));
  EXPECT_EQ(data.classes, (std::vector<std::string>{"no", "yes"}));
  EXPECT_EQ(data.train.size(), 7);
  EXPECT_EQ(data.test.size(), 3);
  EXPECT_EQ(data.train.images.sizes(), (std::vector<std::int64_t>{7, 4, 1, 1}));
  EXPECT_EQ(data.train.num_classes, 2);
  // Every row: one of the three colours, and the label "yes" exactly for odd sizes
  // (the empty size, row 4, is filled with a mean: not a whole number).
  for (const Dataset* part : {&data.train, &data.test}) {
    for (std::int64_t r = 0; r < part->size(); ++r) {
      const torch::Tensor row = part->images[r].flatten();
      EXPECT_FLOAT_EQ(row.slice(0, 1, 4).sum().item<float>(), 1.0f);
      const float size = row[0].item<float>();
      if (std::abs(size - std::round(size)) > 1e-4f) continue;
      EXPECT_EQ(part->labels[r].item<std::int64_t>(), static_cast<std::int64_t>(size) % 2) << size;
    }
  }
}

TEST(CsvReader, StatisticsComeFromTheTrainingRowsOnly) {
  // v = 10 i, empty in row 0; a category "rare" only in row 19.
  std::string text = "v,kind,label\n";
  for (int i = 0; i < 20; ++i) {
    text += (i == 0 ? std::string() : std::to_string(10 * i)) + "," + (i == 19 ? "rare" : "common") + "," +
            (i % 2 ? "a" : "b") + "\n";
  }
  testing::TempDir dir;
  CsvOptions options;
  options.test_fraction = 0.25;
  const CsvData data = read_csv_dataset(write_csv(dir, "t.csv", text), options);
  // The filled value is the mean of the training rows' values.
  double sum = 0, count = 0, filled = -1;
  for (std::int64_t r = 0; r < data.train.size(); ++r) {
    const double v = data.train.images[r][0][0][0].item<float>();
    if (std::fmod(v, 10.0) != 0.0) {
      filled = v;
    } else {
      sum += v;
      ++count;
    }
  }
  bool filled_in_test = false;
  for (std::int64_t r = 0; r < data.test.size(); ++r) {
    const double v = data.test.images[r][0][0][0].item<float>();
    if (std::fmod(v, 10.0) != 0.0) {
      filled = v;
      filled_in_test = true;
    }
  }
  // The training rows hold the row with the empty field or not; the mean
  // is over the training rows with a value either way.
  EXPECT_NEAR(filled, sum / count, 1e-3) << (filled_in_test ? "row 0 in test" : "row 0 in train");
  // "rare" is a feature only when row 19 is a training row.
  bool rare_in_train = false;
  for (std::int64_t r = 0; r < data.train.size(); ++r) {
    rare_in_train |= data.train.images[r][0][0][0].item<float>() == 190.0f;
  }
  const bool has_rare = std::find(data.features.begin(), data.features.end(), "kind=rare") != data.features.end();
  EXPECT_EQ(has_rare, rare_in_train);
}

TEST(CsvReader, IgnoredColumnsAreNotFeatures) {
  testing::TempDir dir;
  CsvOptions options;
  options.ignore = {"color"};
  EXPECT_EQ(read_csv_dataset(write_csv(dir, "t.csv", ten_rows()), options).features, std::vector<std::string>{"size"});
}

TEST(CsvReader, TheSplitDependsOnlyOnItsSeed) {
  testing::TempDir dir;
  const std::string path = write_csv(dir, "t.csv", ten_rows());
  CsvOptions a, b;
  b.split_seed = 7;
  EXPECT_TRUE(read_csv_dataset(path, a).test.images.equal(read_csv_dataset(path, a).test.images));
  EXPECT_FALSE(read_csv_dataset(path, a).test.images.equal(read_csv_dataset(path, b).test.images));
}

TEST(CsvReader, RefusesBadFilesNamingTheFileAndLine) {
  testing::TempDir dir;
  EXPECT_NE(error_of(dir.file("absent.csv")).find("absent.csv: cannot open"), std::string::npos);
  EXPECT_NE(error_of(write_csv(dir, "empty.csv", "\n\n")).find("is empty"), std::string::npos);
  const std::string short_row = write_csv(dir, "short.csv", "a,label\n1,x\n2\n3,y\n");
  EXPECT_NE(error_of(short_row).find("short.csv:3: 1 fields, the header has 2"), std::string::npos)
      << error_of(short_row);
  EXPECT_NE(error_of(write_csv(dir, "nolabel.csv", "a,b\n1,2\n3,4\n")).find("no column 'label'"), std::string::npos);
  EXPECT_NE(error_of(write_csv(dir, "nolabel2.csv", "a,b\n1,2\n3,4\n")).find("the columns are: a, b"),
            std::string::npos);
  EXPECT_NE(error_of(write_csv(dir, "quote.csv", "a,label\n\"1,x\n2,y\n")).find("quote.csv:2: a quoted field"),
            std::string::npos);
  EXPECT_NE(error_of(write_csv(dir, "one.csv", "a,label\n1,x\n2,x\n")).find("has one value"), std::string::npos);
  EXPECT_NE(error_of(write_csv(dir, "dup.csv", "a,a,label\n1,1,x\n2,2,y\n")).find("appears twice"), std::string::npos);
  EXPECT_NE(error_of(write_csv(dir, "only.csv", "label\nx\ny\n")).find("no feature column"), std::string::npos);
  EXPECT_NE(error_of(write_csv(dir, "nolab.csv", "a,label\n1,x\n2,\n")).find("nolab.csv:3: the label"),
            std::string::npos);
  CsvOptions ignore_b;
  ignore_b.ignore = {"b"};
  EXPECT_NE(error_of(write_csv(dir, "ign.csv", "a,label\n1,x\n2,y\n"), ignore_b).find("no column 'b' to ignore"),
            std::string::npos);
}

TEST(CsvReader, LoadsThroughTheDataSetNameWithItsShape) {
  testing::TempDir dir;
  DataSource source;
  source.name = "csv";
  source.path = write_csv(dir, "t.csv", ten_rows());
  const DatasetShape shape = dataset_shape(source);
  EXPECT_EQ(shape.channels, 4);
  EXPECT_EQ(shape.image_size, 1);
  EXPECT_EQ(shape.num_classes, 2);
  EXPECT_EQ(load_dataset(source, "train").size() + load_dataset(source, "test").size(), 10);
  source.path.clear();
  EXPECT_THROW(load_dataset(source, "train"), DataError);
}

}  // namespace
}  // namespace experiments
