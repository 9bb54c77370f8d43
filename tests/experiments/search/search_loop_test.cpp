#include "experiments/search/search_loop.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "experiments/archive/checkpoint.h"
#include "experiments/archive/run_archive.h"
#include "experiments/config/search_schema.h"
#include "experiments/search/search_cli.h"
#include "tests/experiments/data/data_files.h"

namespace experiments {
namespace {

// A tiny search over 300 synthetic 28x28 images in IDX files.
std::vector<std::string> tiny(const testing::TempDir& data, const std::string& controller = "enas") {
  return {"data.dataset=mnist",
          "data.path=" + data.path().string(),
          "data.validation_size=60",
          "child.channels=4",
          "child.cells_per_stage=0",
          "child.batch_size=16",
          "child.steps_per_epoch=3",
          "controller.name=" + controller,
          "controller.updates_per_epoch=2",
          "controller.archs_per_update=3",
          "controller.valid_batch_size=20",
          "search.epochs=2",
          "search.top_k=2",
          "run.threads=1",
          "space.name=enas_micro"};
}

std::vector<std::string> read_canonical_column(const std::string& path) {
  H5::H5File file(path, H5F_ACC_RDONLY);
  H5::DataSet set = file.openDataSet("archs/canonical");
  hsize_t n = 0;
  set.getSpace().getSimpleExtentDims(&n);
  std::vector<char*> raw(n);
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  if (n > 0) set.read(raw.data(), type);
  std::vector<std::string> values;
  for (char* p : raw) {
    values.emplace_back(p);
    std::free(p);
  }
  return values;
}

std::vector<double> read_rewards(const std::string& path) {
  H5::H5File file(path, H5F_ACC_RDONLY);
  H5::DataSet set = file.openDataSet("archs/reward");
  hsize_t n = 0;
  set.getSpace().getSimpleExtentDims(&n);
  std::vector<double> values(n);
  if (n > 0) set.read(values.data(), H5::PredType::NATIVE_DOUBLE);
  return values;
}

// A progress stream that throws once its text contains `trigger`: a run
// killed at that point (after the checkpoints written so far).
class Interrupting : public std::stringbuf {
 public:
  explicit Interrupting(std::string trigger) : trigger_(std::move(trigger)) {}

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    const std::streamsize written = std::stringbuf::xsputn(s, n);
    if (str().find(trigger_) != std::string::npos) throw std::runtime_error("interrupted at '" + trigger_ + "'");
    return written;
  }

 private:
  std::string trigger_;
};

struct InterruptedRun {
  Interrupting buffer;
  std::ostream out;
  explicit InterruptedRun(std::string trigger) : buffer(std::move(trigger)), out(&buffer) {
    out.exceptions(std::ios::badbit);
  }
};

// Rows of both archives agree: architectures and rewards (NaN equal to NaN).
void expect_same_archive(const std::string& a_dir, const std::string& b_dir) {
  EXPECT_EQ(read_canonical_column(a_dir + "/run.h5"), read_canonical_column(b_dir + "/run.h5"));
  const auto a = read_rewards(a_dir + "/run.h5"), b = read_rewards(b_dir + "/run.h5");
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))
        << "row " << i << ": " << a[i] << " vs " << b[i];
  }
}

// A binary's command line: `program --run-dir run_dir --set o ...`.
std::vector<std::string> command_line(const std::string& program, const std::string& run_dir,
                                      const std::vector<std::string>& overrides) {
  std::vector<std::string> args = {program, "--run-dir", run_dir};
  for (const auto& o : overrides) {
    args.push_back("--set");
    args.push_back(o);
  }
  return args;
}

// The data and child keys of the tiny staged searches (PNAS, NAO), then `extra`.
std::vector<std::string> tiny_staged(const testing::TempDir& data, std::vector<std::string> extra) {
  std::vector<std::string> overrides = {"data.dataset=mnist",
                                        "data.path=" + data.path().string(),
                                        "data.validation_size=60",
                                        "child.channels=4",
                                        "child.cells_per_stage=0",
                                        "child.batch_size=16",
                                        "child.steps_per_epoch=2",
                                        "controller.archs_per_update=10",
                                        "controller.valid_batch_size=20",
                                        "search.epochs=5",
                                        "search.top_k=2",
                                        "run.threads=1"};
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  return overrides;
}

// Runs a search with `overrides` in `run_dir`, progress into `progress`.
SearchResult run_tiny_search(std::vector<std::string> overrides, const std::string& run_dir, std::ostream& progress) {
  overrides.push_back("run.dir=" + run_dir);
  const ExperimentConfig config = ExperimentConfig::load(search_schema(), "", overrides);
  return SearchLoop(config, run_dir, false, progress).run();
}

TEST(SearchLoop, ATinySearchWritesAnArchiveWithTheExpectedRows) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::ostringstream progress;
  const SearchResult result = run_tiny_search(tiny(data), runs.file("run"), progress);
  auto archive = RunArchive::open(runs.file("run") + "/run.h5", "enas_micro(nodes=5)", 40);
  // per epoch: 3 child steps + 2 updates x 3 architectures; then top_k = 2 final rows
  EXPECT_EQ(archive->counts().archs, 2u * (3 + 6) + 2);
  EXPECT_EQ(archive->counts().updates, 4u);
  EXPECT_EQ(result.top.size(), 2u);
  EXPECT_EQ(list_checkpoints(runs.file("run") + "/checkpoints").size(), 2u);
  EXPECT_NE(progress.str().find("epoch 2/2 controller"), std::string::npos);
}

// [search] evaluation = standalone: each proposal trained from scratch for a
// fraction of an epoch, then scored; same rows as with shared weights.
TEST(SearchLoop, StandaloneEvaluationTrainsEachProposalFromScratch) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  auto overrides = tiny(data, "random");
  overrides.push_back("search.evaluation=standalone");
  overrides.push_back("search.standalone_epochs=0.2");  // 0.2 x 15 batches = 3 steps per proposal
  std::ostringstream progress;
  const SearchResult result = run_tiny_search(overrides, runs.file("run"), progress);
  auto archive = RunArchive::open(runs.file("run") + "/run.h5", "enas_micro(nodes=5)", 40);
  EXPECT_EQ(archive->counts().archs, 2u * (3 + 6) + 2);
  for (double reward : read_rewards(runs.file("run") + "/run.h5")) {
    EXPECT_TRUE(std::isnan(reward) || (reward >= 0.0 && reward <= 1.0));
  }
  EXPECT_EQ(result.top.size(), 2u);
  // The same search scored with the shared weights gives other rewards.
  overrides[overrides.size() - 2] = "search.evaluation=shared";
  run_tiny_search(overrides, runs.file("shared"), progress);
  const auto measured = [](std::vector<double> rewards) {  // the scored rows (child rows are NaN)
    std::erase_if(rewards, [](double r) { return std::isnan(r); });
    return rewards;
  };
  const auto standalone = measured(read_rewards(runs.file("run") + "/run.h5"));
  const auto shared = measured(read_rewards(runs.file("shared") + "/run.h5"));
  ASSERT_EQ(standalone.size(), shared.size());
  EXPECT_NE(standalone, shared);
}

TEST(SearchLoop, ResumeEqualsTheUninterruptedRun) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::ostringstream out, err;
  auto args = [&](const std::string& dir, std::vector<std::string> extra) {
    std::vector<std::string> a = command_line("nas_search", dir, tiny(data));
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  ASSERT_EQ(run_search_cli(args(runs.file("whole"), {}), "", out, err), 0) << err.str();
  // The interrupted run: stop after epoch 1 (epochs=1), then resume for the second.
  ASSERT_EQ(run_search_cli(args(runs.file("parts"), {"--set", "search.epochs=1"}), "", out, err), 0) << err.str();
  {
    // The resumed run reads its own config.toml; raise its epoch count there.
    std::ifstream in(runs.file("parts") + "/config.toml");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("epochs = 1"), 10, "epochs = 2");
    std::ofstream(runs.file("parts") + "/config.toml") << text;
  }
  ASSERT_EQ(run_search_cli({"nas_search", "--resume", runs.file("parts")}, "", out, err), 0) << err.str();
  // The interrupted run also wrote its own final rows after epoch 1; the
  // resume truncated them, so the files agree row for row.
  expect_same_archive(runs.file("parts"), runs.file("whole"));
}

// With checkpoint_evaluations = 2 and 3 proposals per update, evaluation 4
// falls inside epoch 1's second update. A run killed while that update
// finishes resumes from that point, within the update, and ends as the
// uninterrupted run does.
TEST(SearchLoop, ResumeWithinAControllerUpdateEqualsTheUninterruptedRun) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::vector<std::string> overrides = tiny(data);
  overrides.push_back("run.checkpoint_evaluations=2");
  std::ostringstream progress;
  run_tiny_search(overrides, runs.file("whole"), progress);
  InterruptedRun killed("epoch 1/2 controller [########################] 2/2");
  EXPECT_THROW(run_tiny_search(overrides, runs.file("parts"), killed.out), std::runtime_error);
  const std::string dir = runs.file("parts") + "/checkpoints";
  // Only the newest in-epoch checkpoint is kept.
  EXPECT_EQ(list_checkpoints(dir), std::vector<std::string>{evaluation_checkpoint_path(dir, 1, 4)});
  const Checkpoint at = read_checkpoint(evaluation_checkpoint_path(dir, 1, 4));
  EXPECT_EQ(at.scalars.at("position.updates_done"), 1.0);
  // Within update 2: its first proposal's reward, and the controller as it was before update 2 proposed.
  const std::string& rewards = at.texts.at("position.update_rewards");
  EXPECT_EQ(std::count(rewards.begin(), rewards.end(), '\n'), 1);
  overrides.push_back("run.dir=" + runs.file("parts"));
  SearchLoop(ExperimentConfig::load(search_schema(), "", overrides), runs.file("parts"), true, progress).run();
  expect_same_archive(runs.file("parts"), runs.file("whole"));
  EXPECT_EQ(list_checkpoints(dir), (std::vector<std::string>{checkpoint_path(dir, 1), checkpoint_path(dir, 2)}));
}

// A tiny PNAS search: pnas(blocks=2), beam 4, on 300 synthetic images.
std::vector<std::string> tiny_pnas(const testing::TempDir& data, const std::string& run_dir) {
  return command_line(
      "pnas_search", run_dir,
      tiny_staged(data, {"controller.updates_per_epoch=20", "controller.beam=4", "controller.surrogate_epochs=2",
                         "controller.predictors=2", "space.blocks=2"}));
}

const std::vector<std::string> kPnasDefaults = {"space.name=pnas", "controller.name=pnas"};

// PNAS through the same loop: stage 1's 136 one-block cells, then (after a
// child phase on the new beam) stage 2's beam, scored on the two-block
// store; the search ends when the controller finishes, before search.epochs.
TEST(SearchLoop, PnasRunsItsStagesInTheLoopAndEndsWhenFinished) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  const std::vector<std::string> args = tiny_pnas(data, runs.file("run"));
  std::ostringstream out, err;
  ASSERT_EQ(run_search_cli(args, "pnas", out, err, kPnasDefaults), 0) << err.str();
  auto archive = RunArchive::open(runs.file("run") + "/run.h5", "pnas(blocks=2)", 8);
  // Epoch 1: 2 child steps, 136 evaluations; epoch 2: 2 child steps on the
  // beam, its 4 evaluations (finished); then 2 final rows.
  EXPECT_EQ(archive->counts().archs, 2u + 136u + 2u + 4u + 2u);
  EXPECT_EQ(list_checkpoints(runs.file("run") + "/checkpoints").size(), 2u);
  // The result comes from the last stage: full two-block cells, no -1 padding
  // (the padding of stage 1's one-block rows).
  const SearchOutcome outcome = read_search_outcome(runs.file("run") + "/run.h5");
  ASSERT_EQ(outcome.final_archs.size(), 2u);
  for (const FinalArch& arch : outcome.final_archs) {
    EXPECT_EQ(std::count(arch.tokens.begin(), arch.tokens.end(), -1), 0);
  }
  EXPECT_NE(out.str().find("best architecture (pnas(blocks=2))"), std::string::npos) << out.str();
  // Both stages in /stages and /stage_summary: 136 + 4 cell rows, 2 summaries.
  EXPECT_EQ(archive->counts().stage_rows, 140u);
  EXPECT_EQ(archive->counts().stages, 2u);
}

// Interrupted after epoch 1 (its checkpoint kept, epoch 2's lost), the
// resumed PNAS search ends with the archive of the uninterrupted one.
TEST(SearchLoop, PnasResumeEqualsTheUninterruptedRun) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::ostringstream out, err;
  ASSERT_EQ(run_search_cli(tiny_pnas(data, runs.file("whole")), "pnas", out, err, kPnasDefaults), 0) << err.str();
  ASSERT_EQ(run_search_cli(tiny_pnas(data, runs.file("parts")), "pnas", out, err, kPnasDefaults), 0) << err.str();
  std::filesystem::remove(checkpoint_path(runs.file("parts") + "/checkpoints", 2));
  ASSERT_EQ(run_search_cli({"pnas_search", "--resume", runs.file("parts")}, "pnas", out, err, kPnasDefaults), 0)
      << err.str();
  expect_same_archive(runs.file("parts"), runs.file("whole"));
  EXPECT_EQ(RunArchive::open(runs.file("parts") + "/run.h5", "pnas(blocks=2)", 8)->counts().stages, 2u);
}

// At evaluation granularity: killed during stage 1, after its 25th
// evaluation (inside the third update of 10), a PNAS search resumes there
// and ends with the uninterrupted run's archive, stages included.
TEST(SearchLoop, PnasResumeWithinAStageEqualsTheUninterruptedRun) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::ostringstream out, err;
  auto args = [&](const std::string& dir) {
    auto a = tiny_pnas(data, dir);
    a.insert(a.end(), {"--set", "run.checkpoint_evaluations=25"});
    return a;
  };
  ASSERT_EQ(run_search_cli(args(runs.file("whole")), "pnas", out, err, kPnasDefaults), 0) << err.str();
  InterruptedRun killed("controller [####....................] 4/20");
  EXPECT_NE(run_search_cli(args(runs.file("parts")), "pnas", killed.out, err, kPnasDefaults), 0);
  EXPECT_NE(err.str().find("interrupted"), std::string::npos) << err.str();
  const std::string dir = runs.file("parts") + "/checkpoints";
  ASSERT_EQ(list_checkpoints(dir), std::vector<std::string>{evaluation_checkpoint_path(dir, 1, 25)});
  ASSERT_EQ(run_search_cli({"pnas_search", "--resume", runs.file("parts")}, "pnas", out, err, kPnasDefaults), 0)
      << err.str();
  expect_same_archive(runs.file("parts"), runs.file("whole"));
  auto archive = RunArchive::open(runs.file("parts") + "/run.h5", "pnas(blocks=2)", 8);
  EXPECT_EQ(archive->counts().stage_rows, 140u);
  EXPECT_EQ(archive->counts().stages, 2u);
}

TEST(SearchLoop, BadInputsExitWithTwoAndCreateNothing) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::ostringstream out, err;
  const std::string dir = runs.file("bad");
  EXPECT_EQ(run_search_cli({"nas_search", "--run-dir", dir, "--set", "child.chanels=4"}, "", out, err), 2);
  EXPECT_NE(err.str().find("unknown option 'chanels'"), std::string::npos) << err.str();
  EXPECT_EQ(run_search_cli({"nas_search", "--run-dir", dir, "--set", "data.dataset=mnist", "--set",
                            "data.path=" + runs.file("nowhere")},
                           "", out, err),
            2);
  EXPECT_EQ(run_search_cli({"enas_search", "--run-dir", dir, "--set", "controller.name=random"}, "enas", out, err), 2);
  EXPECT_EQ(run_search_cli({"nas_search", "--resume", runs.file("none")}, "", out, err), 2);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(SearchLoop, RefusesToOverwriteAnExistingRun) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  auto overrides = tiny(data, "random");
  overrides.push_back("search.epochs=1");
  std::ostringstream progress;
  const ExperimentConfig config = ExperimentConfig::load(search_schema(), "", overrides);
  SearchLoop(config, runs.file("run"), false, progress).run();
  const auto before = std::filesystem::last_write_time(runs.file("run") + "/run.h5");
  EXPECT_THROW(SearchLoop(config, runs.file("run"), false, progress), ArchiveError);
  EXPECT_EQ(std::filesystem::last_write_time(runs.file("run") + "/run.h5"), before);
}

}  // namespace
}  // namespace experiments

namespace experiments {
namespace {

TEST(SearchLoop, ACorruptNewestCheckpointIsRefusedByName) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::vector<std::string> a = {"nas_search", "--run-dir", runs.file("run")};
  for (const auto& o : tiny(data, "random")) {
    a.push_back("--set");
    a.push_back(o);
  }
  std::ostringstream out, err;
  ASSERT_EQ(run_search_cli(a, "", out, err), 0) << err.str();
  const std::string newest = list_checkpoints(runs.file("run") + "/checkpoints").back();
  std::filesystem::resize_file(newest, 100);
  EXPECT_EQ(run_search_cli({"nas_search", "--resume", runs.file("run")}, "", out, err), 2);
  EXPECT_NE(err.str().find(newest), std::string::npos) << err.str();
}

// A tiny NAO-WS search: a pool of 24 nao(nodes=3) cells, 3 cycles.
std::vector<std::string> tiny_nao(const testing::TempDir& data, const std::string& run_dir) {
  return command_line("nao_search", run_dir,
                      tiny_staged(data, {"controller.updates_per_epoch=3", "controller.seed_archs=24",
                                         "controller.cycles=3", "controller.top_k=6", "controller.new_archs=6",
                                         "controller.random_archs=2", "controller.epochs=3", "controller.batch_size=8",
                                         "space.nodes=3", "run.checkpoint_evaluations=7"}));
}

const std::vector<std::string> kNaoDefaults = {"space.name=nao", "controller.name=nao"};

// NAO through the same loop: each epoch scores the pool (24 cells) and
// closes a cycle; the archive records every cycle's pool, the summary with
// the decoder's columns, and the generated cells with their parents. A run
// killed within cycle 2 resumes to the uninterrupted archive.
TEST(SearchLoop, NaoRunsItsCyclesRecordsThemAndResumesWithinACycle) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::ostringstream out, err;
  ASSERT_EQ(run_search_cli(tiny_nao(data, runs.file("whole")), "nao", out, err, kNaoDefaults), 0) << err.str();
  EXPECT_NE(out.str().find("best architecture (nao(nodes=3,ops=enas))"), std::string::npos) << out.str();
  auto archive = RunArchive::open(runs.file("whole") + "/run.h5", "nao(nodes=3,ops=enas)", 24);
  EXPECT_EQ(archive->counts().stages, 3u);
  EXPECT_EQ(archive->counts().stage_rows, 3u * 24u);
  EXPECT_GE(archive->counts().generated, 2u * 2u);  // at least the random additions of cycles 1 and 2
  EXPECT_EQ(archive->counts().archs, 3u * (2u + 24u) + 2u);

  InterruptedRun killed("epoch 2/5 controller [################........] 2/3");
  EXPECT_NE(run_search_cli(tiny_nao(data, runs.file("parts")), "nao", killed.out, err, kNaoDefaults), 0);
  const std::string dir = runs.file("parts") + "/checkpoints";
  ASSERT_EQ(list_checkpoints(dir).back(), evaluation_checkpoint_path(dir, 2, 14));
  ASSERT_EQ(run_search_cli({"nao_search", "--resume", runs.file("parts")}, "nao", out, err, kNaoDefaults), 0)
      << err.str();
  expect_same_archive(runs.file("parts"), runs.file("whole"));
  EXPECT_EQ(RunArchive::open(runs.file("parts") + "/run.h5", "nao(nodes=3,ops=enas)", 24)->counts().generated,
            archive->counts().generated);
}

}  // namespace
}  // namespace experiments
