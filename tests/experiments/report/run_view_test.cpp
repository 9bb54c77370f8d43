#include "experiments/report/run_view.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "experiments/archive/run_archive.h"
#include "experiments/archive/train_archive.h"
#include "spaces/registry.h"
#include "tests/experiments/data/data_files.h"

namespace experiments {
namespace {

TableColumns epochs_and_values(std::vector<std::int64_t> epochs, std::vector<double> values) {
  TableColumns t;
  t.rows = epochs.size();
  t.integers["epoch"] = std::move(epochs);
  t.numbers["value"] = std::move(values);
  return t;
}

TEST(PerEpoch, AggregatesByEpochSkippingNaNAndRowsNotKept) {
  const TableColumns t = epochs_and_values({0, 0, 1, 1, 2, 3}, {1, 3, NAN, 5, 2, 9});
  const EpochSeries mean = per_epoch(t, "value", Aggregate::kMean);
  EXPECT_EQ(mean.x, (std::vector<double>{1, 2, 3, 4}));  // rows carry the epochs completed before them
  EXPECT_EQ(mean.y, (std::vector<double>{2, 5, 2, 9}));
  EXPECT_EQ(per_epoch(t, "value", Aggregate::kMax).y, (std::vector<double>{3, 5, 2, 9}));
  EXPECT_EQ(per_epoch(t, "value", Aggregate::kLast).y, (std::vector<double>{3, 5, 2, 9}));
  const std::vector<bool> keep = {true, false, true, true, true, false};
  const EpochSeries running = per_epoch(t, "value", Aggregate::kRunningMax, false, keep);
  EXPECT_EQ(running.x, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(running.y, (std::vector<double>{1, 5, 5}));
  EXPECT_EQ(per_epoch(t, "value", Aggregate::kMean, true).x, (std::vector<double>{0, 1, 2, 3}));
  EXPECT_TRUE(per_epoch(t, "missing", Aggregate::kMean).x.empty());
  EXPECT_EQ(per_group(t, "value", "value", Aggregate::kLast).x, (std::vector<double>{1, 2, 3, 5, 9}));
}

spaces::Record evaluated(std::int64_t epoch, const std::string& canonical, double reward, double accuracy) {
  return spaces::Record("archs")
      .set("epoch", epoch)
      .set("phase", std::string("controller"))
      .set("canonical", canonical)
      .set("reward", reward)
      .set("accuracy", accuracy);
}

spaces::Record progress(std::int64_t epoch, const std::string& event, double seconds) {
  return spaces::Record("progress").set("epoch", epoch).set("event", event).set("seconds", seconds);
}

// While a search runs, its best are the evaluated candidates by reward,
// each architecture once, at most 5; once it finished, its final rows by
// accuracy (NaN last).
TEST(RunView, BestArchitecturesComeFromTheArchiveAsTheSearchStands) {
  testing::TempDir dir;
  const std::string path = dir.file("run.h5");
  auto archive = RunArchive::create(path, spaces::make_space("darts")->spec(), "[controller]\nname = 'random'\n");
  archive->append({spaces::Record("archs")
                       .set("epoch", std::int64_t{0})
                       .set("phase", std::string("child"))
                       .set("canonical", std::string("trained on"))});
  const double rewards[] = {0.5, 0.9, 0.7, 0.9, 0.6, 0.8, 0.55, 0.1};
  for (int i = 0; i < 8; ++i) {
    const std::string name = i == 3 ? "B" : std::string(1, char('A' + i));  // B evaluated twice
    archive->append({evaluated(i / 4, name, rewards[i], rewards[i] - 0.05)});
  }
  archive->append({progress(0, "epoch", 10.0), progress(1, "epoch", 25.0)});
  RunView run = read_run_view(dir.path());
  EXPECT_EQ(run.strategy, "random");
  EXPECT_FALSE(run.finished);
  EXPECT_EQ(run.epochs_done, 2);
  EXPECT_EQ(run.evaluated, 8);
  EXPECT_EQ(run.wall_seconds, 25.0);
  ASSERT_EQ(run.best.size(), 5u);
  const std::vector<std::string> expected = {"B", "F", "C", "E", "G"};
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(run.best[i].canonical, expected[i]) << i;
  EXPECT_DOUBLE_EQ(run.accuracy, 0.85);

  archive->append({spaces::Record("archs")
                       .set("phase", std::string("final"))
                       .set("canonical", std::string("C"))
                       .set("accuracy", 0.71),
                   spaces::Record("archs")
                       .set("phase", std::string("final"))
                       .set("canonical", std::string("Z"))
                       .set("accuracy", NAN),
                   spaces::Record("archs")
                       .set("phase", std::string("final"))
                       .set("canonical", std::string("F"))
                       .set("accuracy", 0.74),
                   progress(2, "finished", 30.0)});
  archive.reset();
  run = read_run_view(dir.path());
  EXPECT_TRUE(run.finished);
  ASSERT_EQ(run.best.size(), 3u);
  EXPECT_EQ(run.best[0].canonical, "F");
  EXPECT_EQ(run.best[1].canonical, "C");
  EXPECT_EQ(run.best[2].canonical, "Z");
  EXPECT_DOUBLE_EQ(run.accuracy, 0.74);
  EXPECT_EQ(run.wall_seconds, 30.0);
}

// A training that tests every few epochs ([train] test_every) shows the
// last tested epoch: its test accuracy is the headline, its row the table's.
TEST(RunView, ATrainingShowsItsLastTestedEpoch) {
  testing::TempDir dir;
  const std::string arch = "0 0 1 1 2 2 0 3 0 1 1 4 2 0 1 3";
  auto archive = TrainArchive::create(dir.file("run.h5"), "enas_micro(nodes=2)", arch, "[train]\nepochs = 4\n");
  const double untested = NAN;
  archive->append(EpochRecord{1, 0.9, 0.60, untested, untested, 0.1, 0.0, 10.0});
  archive->append(EpochRecord{2, 0.7, 0.70, 0.65, 0.72, 0.1, 0.0, 20.0});
  archive->append(EpochRecord{3, 0.6, 0.75, untested, untested, 0.1, 0.0, 30.0});
  RunView run = read_run_view(dir.path());
  EXPECT_FALSE(run.finished);
  EXPECT_EQ(run.epochs_done, 3);
  EXPECT_DOUBLE_EQ(run.accuracy, 0.72);
  EXPECT_EQ(run.accuracy_meaning, "test accuracy at epoch 2, the last tested of 3");
  ASSERT_EQ(run.best.size(), 1u);
  EXPECT_EQ(run.best[0].metrics.at("epoch"), 2.0);
  EXPECT_EQ(run.best[0].metrics.at("train_accuracy"), 0.70);
  EXPECT_EQ(run.wall_seconds, 30.0);

  archive->append(EpochRecord{4, 0.5, 0.80, 0.55, 0.78, 0.1, 0.0, 40.0});
  archive.reset();
  run = read_run_view(dir.path());
  EXPECT_TRUE(run.finished);
  EXPECT_DOUBLE_EQ(run.accuracy, 0.78);
  EXPECT_EQ(run.accuracy_meaning, "test accuracy at the last epoch");
  EXPECT_EQ(run.best[0].metrics.at("epoch"), 4.0);
}

}  // namespace
}  // namespace experiments
