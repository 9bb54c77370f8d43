#include "experiments/search/search_loop.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "controllers/controller.h"
#include "controllers/darts_controller.h"
#include "controllers/pareto.h"
#include "controllers/rank_correlation.h"
#include "experiments/archive/checkpoint.h"
#include "experiments/archive/run_archive.h"
#include "experiments/config/search_schema.h"
#include "experiments/search/search_cli.h"
#include "experiments/train/train_cli.h"
#include "spaces/registry.h"
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
  return read_archive_table(path, "archs").texts.at("canonical");
}

std::vector<double> read_rewards(const std::string& path) {
  return read_archive_table(path, "archs").numbers.at("reward");
}

// Rows of a table of the archive in `dir`.
std::size_t rows_of(const std::string& dir, const std::string& table) {
  return read_archive_table(dir + "/run.h5", table).rows;
}

// A progress stream that calls `action` once its text contains `trigger`:
// throwing (a run stopped at that point, after the checkpoints written so
// far) or killing the process.
class Triggered : public std::stringbuf {
 public:
  Triggered(std::string trigger, std::function<void(const std::string&)> action)
      : trigger_(std::move(trigger)), action_(std::move(action)) {}

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    const std::streamsize written = std::stringbuf::xsputn(s, n);
    if (str().find(trigger_) != std::string::npos) action_(trigger_);
    return written;
  }

 private:
  std::string trigger_;
  std::function<void(const std::string&)> action_;
};

struct InterruptedRun {
  Triggered buffer;
  std::ostream out;
  explicit InterruptedRun(std::string trigger)
      : buffer(std::move(trigger),
               [](const std::string& at) { throw std::runtime_error("interrupted at '" + at + "'"); }),
        out(&buffer) {
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

// The ConfigError a search with `overrides` stops with, checking it created
// nothing at `run_dir`; "not refused" when it ran.
std::string config_refusal(std::vector<std::string> overrides, const std::string& run_dir) {
  std::ostringstream progress;
  try {
    run_tiny_search(std::move(overrides), run_dir, progress);
  } catch (const ConfigError& e) {
    EXPECT_FALSE(std::filesystem::exists(run_dir)) << e.what();
    return e.what();
  }
  return "not refused";
}

TEST(SearchLoop, ATinySearchWritesAnArchiveWithTheExpectedRows) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::ostringstream progress;
  const SearchResult result = run_tiny_search(tiny(data), runs.file("run"), progress);
  // per epoch: 3 weight steps + 2 updates x 3 architectures; then top_k = 2 final rows
  EXPECT_EQ(rows_of(runs.file("run"), "archs"), 2u * (3 + 6) + 2);
  EXPECT_EQ(rows_of(runs.file("run"), "controller"), 4u);
  EXPECT_EQ(rows_of(runs.file("run"), "training"), 6u);
  EXPECT_EQ(result.top.size(), 2u);
  EXPECT_EQ(list_checkpoints(runs.file("run") + "/checkpoints").size(), 2u);
  EXPECT_NE(progress.str().find("epoch 2/2 evaluate"), std::string::npos);
  // Every evaluated row has the evaluator's named metrics, costs included.
  const TableColumns archs = read_archive_table(runs.file("run") + "/run.h5", "archs");
  for (const char* metric : {"accuracy", "loss", "params", "macs", "seconds"}) {
    ASSERT_TRUE(archs.numbers.count(metric)) << metric;
    for (std::size_t i = 0; i < archs.rows; ++i) {
      const bool evaluated = archs.texts.at("phase")[i] != "child";
      EXPECT_EQ(std::isnan(archs.numbers.at(metric)[i]), !evaluated) << metric << " row " << i;
    }
  }
  EXPECT_GT(archs.numbers.at("params").back(), 0.0);
  EXPECT_GT(archs.numbers.at("macs").back(), archs.numbers.at("params").back());
}

// [run] keep_checkpoints = 1 keeps only the newest epoch end; the run's
// size on disk is printed at its end.
TEST(SearchLoop, KeepCheckpointsBoundsTheCheckpointsAndTheRunSizeIsPrinted) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::ostringstream out, err;
  std::vector<std::string> overrides = tiny(data);
  overrides.insert(overrides.end(), {"run.keep_checkpoints=1", "search.epochs=3"});
  ASSERT_EQ(run_search_cli(command_line("nas_search", runs.file("run"), overrides), "", out, err), 0) << err.str();
  const std::string checkpoints = runs.file("run") + "/checkpoints";
  EXPECT_EQ(list_checkpoints(checkpoints), (std::vector<std::string>{checkpoint_path(checkpoints, 3)}));
  EXPECT_TRUE(std::regex_search(
      out.str(), std::regex("run directory: " + runs.file("run") + R"( \([0-9.]+ MB, 1 checkpoint of [0-9.]+ MB\))")))
      << out.str();
}

// [search] evaluation = trial: each proposal trained from scratch for a
// fraction of an epoch, then scored; nothing reads shared weights, so
// none are built or trained (no child rows).
TEST(SearchLoop, TrialEvaluationTrainsEachProposalFromScratchAndNoSharedWeights) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  auto overrides = tiny(data, "random");
  overrides.push_back("search.evaluation=trial");
  overrides.push_back("search.trial_epochs=0.2");  // 0.2 x 15 batches = 3 steps per proposal
  std::ostringstream progress;
  const SearchResult result = run_tiny_search(overrides, runs.file("run"), progress);
  EXPECT_EQ(rows_of(runs.file("run"), "archs"), 2u * 6 + 2);
  EXPECT_EQ(rows_of(runs.file("run"), "training"), 0u);
  EXPECT_EQ(read_archive_table(runs.file("run") + "/run.h5", "archs").texts.at("evaluator").front(), "trial");
  std::ifstream log(runs.file("run") + "/log.txt");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("no shared weights"), std::string::npos);
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
  const auto trial = measured(read_rewards(runs.file("run") + "/run.h5"));
  const auto shared = measured(read_rewards(runs.file("shared") + "/run.h5"));
  ASSERT_EQ(trial.size(), shared.size());
  EXPECT_NE(trial, shared);
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
  // The interrupted run: stop after epoch 1 (epochs=1), then extend it to 2 on resume.
  ASSERT_EQ(run_search_cli(args(runs.file("parts"), {"--set", "search.epochs=1"}), "", out, err), 0) << err.str();
  ASSERT_EQ(run_search_cli({"nas_search", "--resume", runs.file("parts"), "--set", "search.epochs=2"}, "", out, err), 0)
      << err.str();
  // The interrupted run also wrote its own final rows after epoch 1; the
  // resume truncated them, so the files agree row for row.
  expect_same_archive(runs.file("parts"), runs.file("whole"));
  // The record says what ran: epochs = 2, and when that changed.
  std::ifstream in(runs.file("parts") + "/config.toml");
  const std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(config.find("\nepochs = 2\n"), std::string::npos) << config;
  EXPECT_EQ(config.find("# resumed after epoch 1 ("), 0u) << config;
  EXPECT_NE(config.find("): search.epochs 1 -> 2\n"), std::string::npos) << config;
  EXPECT_EQ(read_search_outcome(runs.file("parts") + "/run.h5").config, config);
}

// A resume may change how a run goes on, not what it searches: the seed,
// the data and the space are refused by name where they were given, and a
// setting that shapes the checkpoint's state (the store's channels) is
// named as a setting when the checkpoint does not load. Nothing changes.
TEST(SearchLoop, ResumeRefusesSettingsThatCannotChangeByName) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::ostringstream out, err;
  const std::string dir = runs.file("run");
  std::vector<std::string> args = command_line("nas_search", dir, tiny(data));
  args.insert(args.end(), {"--set", "search.epochs=1"});
  ASSERT_EQ(run_search_cli(args, "", out, err), 0) << err.str();
  const auto file_text = [](const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const std::string config_before = file_text(dir + "/config.toml");
  const auto refused = [&](const std::string& setting, const std::string& expected) {
    std::ostringstream o, e;
    EXPECT_EQ(run_search_cli({"nas_search", "--resume", dir, "--set", setting, "--set", "search.epochs=2"}, "", o, e),
              2)
        << setting;
    EXPECT_NE(e.str().find(expected), std::string::npos) << e.str();
    EXPECT_EQ(e.str().find("frame #"), std::string::npos) << e.str();
    EXPECT_EQ(file_text(dir + "/config.toml"), config_before) << setting;
  };
  refused("run.seed=7", "--set run.seed=7: [run] seed = 7: cannot change on resume (the run recorded 0)");
  refused("space.nodes=3", "--set space.nodes=3: [space] nodes = 3: cannot change on resume");
  refused("data.validation_size=50", "[data] validation_size = 50: cannot change on resume");
  // A hand edit of config.toml counts as a change too: the record is run.h5's.
  {
    std::string edited = config_before;
    edited.replace(edited.find("\nseed = 0\n"), 10, "\nseed = 5\n");
    std::ofstream(dir + "/config.toml") << edited;
    std::ostringstream o, e;
    EXPECT_EQ(run_search_cli({"nas_search", "--resume", dir}, "", o, e), 2);
    EXPECT_NE(e.str().find("config.toml:"), std::string::npos) << e.str();
    EXPECT_NE(e.str().find(": [run] seed = 5: cannot change on resume (the run recorded 0)"), std::string::npos)
        << e.str();
    std::ofstream(dir + "/config.toml") << config_before;
  }
  refused("child.channels=8",
          "the checkpoint does not load with the changed settings (child.channels 4 -> 8, search.epochs 1 -> 2)");
  EXPECT_EQ(read_search_outcome(dir + "/run.h5").config, config_before);
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
  InterruptedRun killed("epoch 1/2 evaluate   [########################] 2/2");
  EXPECT_THROW(run_tiny_search(overrides, runs.file("parts"), killed.out), std::runtime_error);
  const std::string dir = runs.file("parts") + "/checkpoints";
  // Only the newest in-epoch checkpoint is kept (the weight phase's end was one too).
  EXPECT_EQ(list_checkpoints(dir), std::vector<std::string>{in_epoch_checkpoint_path(dir, 1, 1, 4)});
  const Checkpoint at = read_checkpoint(in_epoch_checkpoint_path(dir, 1, 1, 4));
  EXPECT_EQ(at.scalars.at("position.updates_done"), 1.0);
  // Within update 2: its first proposal's metrics, and the controller as it was before update 2 proposed.
  const std::string& feedback = at.texts.at("position.update_feedback");
  EXPECT_EQ(std::count(feedback.begin(), feedback.end(), '\n'), 1);
  overrides.push_back("run.dir=" + runs.file("parts"));
  SearchLoop(ExperimentConfig::load(search_schema(), "", overrides), runs.file("parts"), true, progress).run();
  expect_same_archive(runs.file("parts"), runs.file("whole"));
  EXPECT_EQ(list_checkpoints(dir), (std::vector<std::string>{checkpoint_path(dir, 1), checkpoint_path(dir, 2)}));
}

// A search killed with SIGKILL in the middle of an epoch, with its run
// archive open for writing, resumes from its last checkpoint (the archive
// still opens) and ends equal to the uninterrupted run.
TEST(SearchLoop, ASearchKilledWithSigkillResumesAndEqualsTheUninterruptedRun) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::vector<std::string> overrides = tiny(data);
  std::ostringstream progress;
  run_tiny_search(overrides, runs.file("whole"), progress);
  const pid_t child = ::fork();
  ASSERT_NE(child, -1);
  if (child == 0) {  // the run to kill; it never returns
    // No destructor runs, no file is closed or flushed, as when a machine's job is killed.
    Triggered buffer("epoch 2/2 evaluate   [############............] 1/2",
                     [](const std::string&) { ::raise(SIGKILL); });
    std::ostream out(&buffer);
    try {
      run_tiny_search(overrides, runs.file("parts"), out);
    } catch (...) {
    }
    ::_exit(3);  // reached only if the trigger never came
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  // Killed after epoch 2's first update wrote its rows.
  EXPECT_GT(rows_of(runs.file("parts"), "archs"), 6u);
  overrides.push_back("run.dir=" + runs.file("parts"));
  SearchLoop(ExperimentConfig::load(search_schema(), "", overrides), runs.file("parts"), true, progress).run();
  expect_same_archive(runs.file("parts"), runs.file("whole"));
}

// A tiny PNAS search: pnas(blocks=2), beam 4, on 300 synthetic images.
std::vector<std::string> tiny_pnas(const testing::TempDir& data, const std::string& run_dir) {
  return command_line(
      "pnas_search", run_dir,
      tiny_staged(data, {"controller.updates_per_epoch=20", "controller.beam=4", "controller.surrogate_epochs=2",
                         "controller.predictors=2", "space.blocks=2"}));
}

const std::string kPnasDefaults = "fashion_mnist_pnas.toml";

// PNAS through the same loop: stage 1's 136 one-block cells, then (after a
// child phase on the new beam) stage 2's beam, scored on the two-block
// store; the search ends when the controller finishes, before search.epochs.
TEST(SearchLoop, PnasRunsItsStagesInTheLoopAndEndsWhenFinished) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  const std::vector<std::string> args = tiny_pnas(data, runs.file("run"));
  std::ostringstream out, err;
  ASSERT_EQ(run_search_cli(args, "pnas", out, err, kPnasDefaults), 0) << err.str();
  // Epoch 1: 2 weight steps, 136 evaluations; epoch 2: 2 weight steps on
  // the beam, its 4 evaluations (finished); then 2 final rows.
  EXPECT_EQ(rows_of(runs.file("run"), "archs"), 2u + 136u + 2u + 4u + 2u);
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
  EXPECT_EQ(rows_of(runs.file("run"), "stages"), 140u);
  EXPECT_EQ(rows_of(runs.file("run"), "stage_summary"), 2u);
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
  EXPECT_EQ(rows_of(runs.file("parts"), "stage_summary"), 2u);
}

// At evaluation granularity: killed during stage 1 after its fourth update
// (the newest checkpoint after its 25th evaluation, inside the third
// update of 10), a PNAS search resumes there and ends with the
// uninterrupted run's archive, stages included.
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
  InterruptedRun killed("] 4/14 ");
  EXPECT_NE(run_search_cli(args(runs.file("parts")), "pnas", killed.out, err, kPnasDefaults), 0);
  EXPECT_NE(err.str().find("interrupted"), std::string::npos) << err.str();
  const std::string dir = runs.file("parts") + "/checkpoints";
  ASSERT_EQ(list_checkpoints(dir), std::vector<std::string>{in_epoch_checkpoint_path(dir, 1, 1, 25)});
  ASSERT_EQ(run_search_cli({"pnas_search", "--resume", runs.file("parts")}, "pnas", out, err, kPnasDefaults), 0)
      << err.str();
  expect_same_archive(runs.file("parts"), runs.file("whole"));
  EXPECT_EQ(rows_of(runs.file("parts"), "stages"), 140u);
  EXPECT_EQ(rows_of(runs.file("parts"), "stage_summary"), 2u);
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

const std::string kNaoDefaults = "fashion_mnist_nao.toml";

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
  EXPECT_EQ(rows_of(runs.file("whole"), "stage_summary"), 3u);
  EXPECT_EQ(rows_of(runs.file("whole"), "stages"), 3u * 24u);
  EXPECT_GE(rows_of(runs.file("whole"), "generated"), 2u * 2u);  // at least the random additions of cycles 1 and 2
  EXPECT_EQ(rows_of(runs.file("whole"), "archs"), 3u * (2u + 24u) + 2u);

  InterruptedRun killed("epoch 2/5 evaluate   [################........] 2/3");
  EXPECT_NE(run_search_cli(tiny_nao(data, runs.file("parts")), "nao", killed.out, err, kNaoDefaults), 0);
  const std::string dir = runs.file("parts") + "/checkpoints";
  ASSERT_EQ(list_checkpoints(dir).back(), in_epoch_checkpoint_path(dir, 2, 1, 14));
  ASSERT_EQ(run_search_cli({"nao_search", "--resume", runs.file("parts")}, "nao", out, err, kNaoDefaults), 0)
      << err.str();
  expect_same_archive(runs.file("parts"), runs.file("whole"));
  EXPECT_EQ(rows_of(runs.file("parts"), "generated"), rows_of(runs.file("whole"), "generated"));
}

}  // namespace
}  // namespace experiments

namespace experiments {
namespace {

// A tiny DARTS search: darts(nodes=2), 2 cells of 4 channels, 3 weight
// steps (each after an architecture step) per epoch, 2 epochs.
std::vector<std::string> tiny_darts(const testing::TempDir& data, const std::string& run_dir,
                                    std::vector<std::string> extra = {}) {
  std::vector<std::string> overrides = {"data.dataset=mnist",
                                        "data.path=" + data.path().string(),
                                        "data.validation_size=100",
                                        "space.nodes=2",
                                        "child.channels=4",
                                        "child.cells_per_stage=0",
                                        "child.batch_size=8",
                                        "child.steps_per_epoch=3",
                                        "controller.valid_batch_size=8",
                                        "search.epochs=2",
                                        "controller.warmup_epochs=0",
                                        "run.threads=1"};
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  return command_line("darts_search", run_dir, overrides);
}

// DARTS through the core: each epoch alternates architecture and weight
// steps on the supernet, then evaluates the derived genotype; α (softmax
// per edge) and the genotype reach /alpha after every epoch; the result is
// a darts genotype that train_arch trains from the run.
TEST(SearchLoop, DartsRecordsAlphaEachEpochAndItsGenotypeTrainsWithTrainArch) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  testing::write_mnist_like(data, "t10k", 60, true);
  std::ostringstream out, err;
  ASSERT_EQ(run_search_cli(tiny_darts(data, runs.file("run")), "darts", out, err, "fashion_mnist_darts.toml"), 0)
      << err.str();
  EXPECT_NE(out.str().find("best architecture (darts(allow_none=false,nodes=2)): Genotype(normal=["), std::string::npos)
      << out.str();
  const std::string archive = runs.file("run") + "/run.h5";
  const TableColumns alpha = read_archive_table(archive, "alpha");
  ASSERT_EQ(alpha.rows, 2u);
  EXPECT_EQ(alpha.integers.at("epoch"), (std::vector<std::int64_t>{0, 1}));
  ASSERT_EQ(alpha.number_arrays.at("normal")[0].size(), 5u * 8u);  // [edges, ops]
  double row_sum = 0;
  for (int op = 0; op < 8; ++op) row_sum += alpha.number_arrays.at("reduce")[1][static_cast<std::size_t>(op)];
  EXPECT_NEAR(row_sum, 1.0, 1e-6);
  EXPECT_NE(alpha.number_arrays.at("normal")[0], alpha.number_arrays.at("normal")[1]);  // α learned
  EXPECT_EQ(alpha.texts.at("genotype")[1].find("Genotype("), 0u);
  // The share of skip_connect among the genotype's 2 x 2 x 2 ops (nodes=2), from its text.
  for (std::size_t epoch = 0; epoch < 2; ++epoch) {
    const std::string& genotype = alpha.texts.at("genotype")[epoch];
    std::size_t skips = 0;
    for (auto at = genotype.find("'skip_connect'"); at != std::string::npos;
         at = genotype.find("'skip_connect'", at + 1)) {
      ++skips;
    }
    EXPECT_DOUBLE_EQ(alpha.numbers.at("skip_connect_share")[epoch], double(skips) / 8.0) << genotype;
  }
  // 3 architecture steps and 1 evaluation per epoch; 3 weight steps per epoch; no discrete child paths.
  const TableColumns controller_rows = read_archive_table(archive, "controller");
  EXPECT_EQ(controller_rows.texts.at("kind"),
            (std::vector<std::string>{"architecture_step", "architecture_step", "architecture_step", "update",
                                      "architecture_step", "architecture_step", "architecture_step", "update"}));
  EXPECT_EQ(read_archive_table(archive, "training").rows, 6u);
  const TableColumns archs = read_archive_table(archive, "archs");
  EXPECT_EQ(archs.texts.at("phase"), (std::vector<std::string>{"controller", "controller", "final"}));
  EXPECT_EQ(archs.texts.at("canonical")[2], alpha.texts.at("genotype")[1]);  // the result: the last genotype
  std::ostringstream train_out, train_err;
  ASSERT_EQ(run_train_cli(
                {"train_arch", "--from-run", runs.file("run"), "--run-dir", runs.file("train"), "--set",
                 "data.dataset=mnist", "--set", "data.path=" + data.path().string(), "--set", "train.epochs=1", "--set",
                 "train.steps_per_epoch=2", "--set", "network.channels=4", "--set", "network.cells_per_stage=0"},
                train_out, train_err),
            0)
      << train_err.str();
  EXPECT_NE(train_out.str().find(alpha.texts.at("genotype")[1]), std::string::npos) << train_out.str();
}

// With warmup_epochs = 1 the first epoch trains the weights only: α's
// record after it is its initial value (no architecture step), the second
// epoch moves it; the controller table has the second epoch's 3 steps.
TEST(SearchLoop, DartsWarmupEpochsTrainTheWeightsBeforeAlphaMoves) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::ostringstream out, err;
  ASSERT_EQ(run_search_cli(tiny_darts(data, runs.file("warm"), {"controller.warmup_epochs=1", "run.seed=3"}), "darts",
                           out, err, "fashion_mnist_darts.toml"),
            0)
      << err.str();
  ASSERT_EQ(run_search_cli(tiny_darts(data, runs.file("cold"), {"search.epochs=1", "run.seed=3"}), "darts", out, err,
                           "fashion_mnist_darts.toml"),
            0)
      << err.str();
  const std::string archive = runs.file("warm") + "/run.h5";
  const TableColumns warm = read_archive_table(archive, "alpha"),
                     cold = read_archive_table(runs.file("cold") + "/run.h5", "alpha");
  ASSERT_EQ(warm.rows, 2u);
  const auto seed_alpha =
      controllers::DartsController(spaces::make_space("darts(nodes=2)"), controllers::DartsOptions(), 3)
          .edge_weights()[0]
          .to(torch::kDouble)
          .contiguous();
  const std::vector<double> initial(seed_alpha.data_ptr<double>(), seed_alpha.data_ptr<double>() + seed_alpha.numel());
  ASSERT_EQ(warm.number_arrays.at("normal")[0].size(), initial.size());
  for (std::size_t i = 0; i < initial.size(); ++i) {
    EXPECT_FLOAT_EQ(warm.number_arrays.at("normal")[0][i], initial[i]) << i;  // untouched in the warm-up
  }
  EXPECT_NE(warm.number_arrays.at("normal")[1], warm.number_arrays.at("normal")[0]);
  EXPECT_NE(cold.number_arrays.at("normal")[0], warm.number_arrays.at("normal")[0]);  // without warm-up α moves at once
  EXPECT_EQ(read_archive_table(archive, "controller").rows, 3u + 2u);
  EXPECT_EQ(read_archive_table(archive, "training").rows, 6u);
}

// Killed at its second epoch's evaluation (after the checkpoint at the
// boundary of the epoch's two phases), a first- or second-order DARTS
// search resumes to the uninterrupted run's archive, α included.
TEST(SearchLoop, DartsResumeEqualsTheUninterruptedRunInBothOrders) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  for (const std::string order : {"1", "2"}) {
    SCOPED_TRACE("order " + order);
    const std::string whole = runs.file("whole" + order), parts = runs.file("parts" + order);
    std::ostringstream out, err;
    ASSERT_EQ(run_search_cli(tiny_darts(data, whole, {"controller.order=" + order}), "darts", out, err,
                             "fashion_mnist_darts.toml"),
              0)
        << err.str();
    InterruptedRun killed("epoch 2/2 evaluate");
    EXPECT_NE(run_search_cli(tiny_darts(data, parts, {"controller.order=" + order}), "darts", killed.out, err,
                             "fashion_mnist_darts.toml"),
              0);
    const std::string dir = parts + "/checkpoints";
    ASSERT_EQ(list_checkpoints(dir).back(), in_epoch_checkpoint_path(dir, 2, 1, 0));
    ASSERT_EQ(run_search_cli({"darts_search", "--resume", parts}, "darts", out, err, "fashion_mnist_darts.toml"), 0)
        << err.str();
    expect_same_archive(parts, whole);
    const TableColumns a = read_archive_table(parts + "/run.h5", "alpha"),
                       b = read_archive_table(whole + "/run.h5", "alpha");
    EXPECT_EQ(a.number_arrays.at("normal"), b.number_arrays.at("normal"));
    EXPECT_EQ(a.texts.at("genotype"), b.texts.at("genotype"));
    const auto losses_a = read_archive_table(parts + "/run.h5", "controller").numbers.at("loss"),
               losses_b = read_archive_table(whole + "/run.h5", "controller").numbers.at("loss");
    ASSERT_EQ(losses_a.size(), losses_b.size());
    for (std::size_t i = 0; i < losses_a.size(); ++i) {
      EXPECT_TRUE(losses_a[i] == losses_b[i] || (std::isnan(losses_a[i]) && std::isnan(losses_b[i]))) << i;
    }
  }
}

// A strategy with a space it does not search, or an evaluator without the
// metric it learns from, is refused before anything is written, naming both.
TEST(SearchLoop, MismatchesWithTheCapabilityRecordAreRefusedBeforeAnythingIsWritten) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  const std::string dir = runs.file("bad");
  const auto refused = [&](std::vector<std::string> overrides, const std::string& expected) {
    std::ostringstream out, err;
    overrides.insert(overrides.begin(), {"data.dataset=mnist", "data.path=" + data.path().string(),
                                         "data.validation_size=60", "controller.valid_batch_size=20"});
    EXPECT_EQ(run_search_cli(command_line("nas_search", dir, overrides), "", out, err), 2) << out.str();
    EXPECT_NE(err.str().find(expected), std::string::npos) << err.str();
    EXPECT_EQ(err.str().find("frame #"), std::string::npos) << "a backtrace reached the user: " << err.str();
    EXPECT_FALSE(std::filesystem::exists(dir));
  };
  refused({"controller.name=darts"}, "controller 'darts' does not search space 'enas_micro' (it searches: darts)");
  refused({"controller.name=enas", "space.name=darts"},
          "controller 'enas' does not search space 'darts' (it searches: enas_micro, enas_macro, nao)");
  refused({"controller.name=pnas", "space.name=pnas", "space.blocks=3", "search.epochs=2"},
          "controller 'pnas' needs 3 epochs to finish");
  refused({"search.evaluation=predictor"}, "predictor_data");
  refused({"search.evaluation=predictor", "search.predictor_data=" + runs.file("nowhere")}, "no such run archive");
  // Values checked against the data or each other name the setting where it was given.
  refused({"data.validation_size=300"},
          "--set data.validation_size=300: [data] validation_size = 300: the data set has 300 training images, and "
          "some must be left to train on (at most 299)");
  refused({"controller.valid_batch_size=61"},
          "--set controller.valid_batch_size=61: [controller] valid_batch_size = 61: larger than the 60 images of the "
          "validation split");
  refused({"child.batch_size=241"},
          "--set child.batch_size=241: [child] batch_size = 241: larger than the 240 images of the training split");
  refused({"data.cutout=56"}, "--set data.cutout=56: [data] cutout = 56: a cutout square twice the image's side");
  refused({"search.path_macs_bins=7", "search.path_macs_min=3e6", "search.path_macs_max=2e6"},
          "[search] path_macs_max = 2e+06: not above path_macs_min = 3e+06");
  refused({"search.path_macs_bins=2", "search.path_macs_min=1", "search.path_macs_max=2", "child.channels=4",
           "child.cells_per_stage=0"},
          "[search] path_macs_min = 1.0: none of 100 random architectures of enas_micro(nodes=5) has "
          "multiply-accumulates in [1, 2); they span ");
  refused({"controller.name=genetic_cnn"}, "controller 'genetic_cnn' does not search space 'enas_micro'");
  refused({"data.crop_padding=40"}, "[data] crop_padding = 40: a random crop padded by the image's side");
  refused({"child.lr_min=0.5", "child.lr_max=0.1"}, "--set child.lr_min=0.5: [child] lr_min = 0.5: above lr_max = 0.1");
  refused({"child.nesterov=true", "child.momentum=0"},
          "--set child.nesterov=true: [child] nesterov = true: Nesterov momentum needs a momentum");
  refused({"child.dropout=1"}, "--set child.dropout=1: [child]: option 'dropout' is 1, must be in [0, 1)");
  refused({"controller.name=darts", "space.name=darts", "controller.order=2", "child.nesterov=true"},
          "--set child.nesterov=true: [child] nesterov = true: the second-order architecture gradient");
  refused({"controller.name=darts", "space.name=darts", "controller.order=2", "child.nesterov=false",
           "child.label_smoothing=0.1"},
          "--set child.label_smoothing=0.1: [child] label_smoothing = 0.1: the second-order architecture gradient");
}

// The estimate (the activations one forward pass keeps, measured, and the
// weights with their gradients and momentum) against what may be used.
TEST(SearchLoop, ASupernetThatCannotFitInMemoryIsRefusedWithItsSize) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::ostringstream out, err;
  const std::string dir = runs.file("huge");
  EXPECT_EQ(
      run_search_cli(tiny_darts(data, dir, {"run.memory_gb=0.001"}), "darts", out, err, "fashion_mnist_darts.toml"), 2);
  EXPECT_NE(err.str().find("one weight step needs about"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("0.0 GB available ([run] memory_gb)"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("Lower child.batch_size"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("--set child.batch_size=8: [child] batch_size = 8: one weight step"), std::string::npos)
      << err.str();
  EXPECT_FALSE(std::filesystem::exists(dir));
}

// A shared store too large for memory is refused before it is allocated:
// its size is extrapolated from small builds (256 channels, 4 cells per
// stage: about 5 GB of ENAS weights, 15 GB with gradients and momentum).
TEST(SearchLoopPeakMemory, WeightsThatCannotFitAreRefusedBeforeTheyAreAllocated) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::ostringstream out, err;
  const std::string dir = runs.file("huge");
  std::vector<std::string> overrides = tiny(data, "enas");
  overrides.insert(overrides.end(), {"child.channels=256", "child.cells_per_stage=4", "run.memory_gb=3"});
  // Peak resident memory: a store allocated and freed on the way out would
  // still show. The peak is the process's, so this case is a suite of its
  // own, which ctest runs in a process of its own (tests/gtest_suites.cmake).
  const auto peak_kb = [] {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<std::int64_t>(usage.ru_maxrss);
  };
  const std::int64_t peak_before = peak_kb();
  EXPECT_EQ(run_search_cli(command_line("nas_search", dir, overrides), "", out, err), 2);
  EXPECT_LT(peak_kb() - peak_before, std::int64_t{1} << 20) << "over 1 GB resident: the store was allocated";
  EXPECT_NE(err.str().find("--set child.channels=256: [child] channels = 256: the shared weights would take"),
            std::string::npos)
      << err.str();
  EXPECT_NE(err.str().find("3.0 GB available ([run] memory_gb)"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("Lower child.channels, child.cells_per_stage"), std::string::npos) << err.str();
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(SearchLoop, ListPrintsEveryStrategyWithItsCapabilitiesAndOptions) {
  std::ostringstream out, err;
  ASSERT_EQ(run_search_cli({"nas_search", "--list"}, "", out, err), 0) << err.str();
  for (const std::string& name : controllers::controller_registry().names()) {
    EXPECT_NE(out.str().find("\n" + name + ": "), std::string::npos) << name;
  }
  EXPECT_NE(out.str().find("differentiable: yes"), std::string::npos);
  EXPECT_NE(out.str().find("spaces: enas_micro, enas_macro, nao"), std::string::npos);
  EXPECT_NE(out.str().find("lstm_size = 64"), std::string::npos);
  EXPECT_NE(out.str().find("each epoch: train weights on the mixed graph"), std::string::npos);
  for (const char* evaluator : {"shared", "trial", "predictor"}) {
    EXPECT_NE(out.str().find(std::string("  ") + evaluator + ": "), std::string::npos) << evaluator;
  }
}

// The weight-sharing quality monitor ranks a seeded sample of random
// architectures by the supernet and by standalone training and archives
// Kendall's tau; OFA's evolution then searches on an MLP accuracy predictor
// fitted on that run's measurements, every generation in the archive.
TEST(SearchLoop, TheRankingMonitorArchivesTauAndOfaEvolutionSearchesOnAnMlpPredictor) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::vector<std::string> measured = tiny(data, "random");
  measured.insert(measured.end(),
                  {"controller.updates_per_epoch=4", "search.ranking_sample=4", "search.ranking_trial_epochs=0.05"});
  std::ostringstream progress;
  run_tiny_search(measured, runs.file("measured"), progress);
  const std::string archive = runs.file("measured") + "/run.h5";
  const TableColumns ranking = read_archive_table(archive, "ranking");
  ASSERT_EQ(ranking.rows, 4u);
  std::set<std::string> distinct(ranking.texts.at("canonical").begin(), ranking.texts.at("canonical").end());
  EXPECT_EQ(distinct.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    for (const char* column : {"supernet_accuracy", "standalone_accuracy"}) {
      const double accuracy = ranking.numbers.at(column)[i];
      EXPECT_TRUE(accuracy >= 0.0 && accuracy <= 1.0) << column << " " << accuracy;
    }
  }
  const TableColumns correlation = read_archive_table(archive, "ranking_correlation");
  ASSERT_EQ(correlation.rows, 1u);
  const std::vector<double>& shared = ranking.numbers.at("supernet_accuracy");
  const std::vector<double>& alone = ranking.numbers.at("standalone_accuracy");
  EXPECT_NE(shared, alone);  // two measurements, not one copied
  const double tau = correlation.numbers.at("kendall_tau")[0], expected = controllers::kendall_tau(shared, alone);
  EXPECT_TRUE(tau == expected || (std::isnan(tau) && std::isnan(expected))) << tau << " vs " << expected;
  EXPECT_EQ(correlation.numbers.at("trial_epochs")[0], 0.05);
  // The same seed ranks the same sample.
  run_tiny_search(measured, runs.file("again"), progress);
  EXPECT_EQ(read_archive_table(runs.file("again") + "/run.h5", "ranking").texts.at("canonical"),
            ranking.texts.at("canonical"));

  std::vector<std::string> ofa = tiny(data, "ofa_evolution");
  ofa.insert(ofa.end(),
             {"controller.population=6", "controller.generations=3", "search.epochs=3", "search.evaluation=predictor",
              "search.predictor_model=mlp", "search.predictor_data=" + runs.file("measured")});
  run_tiny_search(ofa, runs.file("ofa"), progress);
  const TableColumns generations = read_archive_table(runs.file("ofa") + "/run.h5", "generations");
  EXPECT_EQ(generations.rows, 18u);
  std::set<std::string> origins(generations.texts.at("origin").begin(), generations.texts.at("origin").end());
  EXPECT_TRUE(origins.count("mutation") && origins.count("crossover"));
  for (double fitness : generations.numbers.at("fitness")) EXPECT_TRUE(std::isfinite(fitness));
  std::ifstream log(runs.file("ofa") + "/log.txt");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("MLP 3 x 400 (OFA's accuracy predictor)"), std::string::npos) << text;
}

// A multi-objective search (DyNAS, accuracy against parameters) archives,
// after every loop, the Pareto front of everything measured so far and its
// hypervolume, both recomputable from the measured rows; random sampling
// with the same objectives gets the same record; a run interrupted within a
// loop resumes to the uninterrupted run's archive.
TEST(SearchLoop, MultiObjectiveSearchesArchiveTheParetoFrontAndHypervolumeEachLoop) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::vector<std::string> overrides = tiny(data, "dynas");
  overrides.insert(overrides.end(), {"controller.population=8", "controller.num_evals=24", "controller.inner_evals=80",
                                     "controller.train_epochs=1", "search.epochs=4",
                                     "search.objectives=accuracy,params", "run.checkpoint_evaluations=4"});
  std::ostringstream progress;
  run_tiny_search(overrides, runs.file("whole"), progress);
  const std::string archive = runs.file("whole") + "/run.h5";
  const TableColumns archs = read_archive_table(archive, "archs");
  const TableColumns pareto = read_archive_table(archive, "pareto");
  const TableColumns front = read_archive_table(archive, "front");
  ASSERT_EQ(pareto.rows, 3u);  // one per loop
  EXPECT_EQ(pareto.integers.at("measured"), (std::vector<std::int64_t>{8, 16, 24}));
  EXPECT_EQ(read_archive_table(archive, "dynas_loops").rows, 2u);  // loops 2 and 3 came from inner NSGA-II runs
  const double reference_params = pareto.numbers.at("reference_params").front();
  EXPECT_EQ(pareto.numbers.at("reference_accuracy").front(), 0.0);
  EXPECT_GT(reference_params, 0.0);
  // Each loop's front is the non-dominated set of the rows measured by then, and its hypervolume theirs.
  std::vector<controllers::ObjectiveVector> measured;
  std::vector<std::string> measured_canonical;
  std::size_t row = 0;
  for (std::size_t loop = 0; loop < 3; ++loop) {
    while (measured.size() < static_cast<std::size_t>(pareto.integers.at("measured")[loop])) {
      ASSERT_LT(row, archs.rows);
      if (archs.texts.at("phase")[row] == "controller") {
        measured.push_back({-archs.numbers.at("accuracy")[row], archs.numbers.at("params")[row]});
        measured_canonical.push_back(archs.texts.at("canonical")[row]);
      }
      ++row;
    }
    std::set<std::string> expected;
    std::vector<controllers::ObjectiveVector> front_points;
    for (std::size_t i : controllers::non_dominated(measured)) {
      expected.insert(measured_canonical[i]);
      front_points.push_back(measured[i]);
    }
    const double loop_epoch = double(pareto.integers.count("epoch") ? pareto.integers.at("epoch")[loop] : 0);
    std::set<std::string> archived;
    for (std::size_t i = 0; i < front.rows; ++i) {
      if (double(front.integers.at("epoch")[i]) == loop_epoch) archived.insert(front.texts.at("canonical")[i]);
    }
    EXPECT_EQ(archived, expected) << "loop " << loop;
    EXPECT_DOUBLE_EQ(pareto.numbers.at("hypervolume")[loop],
                     controllers::hypervolume(front_points, {0.0, reference_params}))
        << "loop " << loop;
    if (loop > 0) {
      EXPECT_GE(pareto.numbers.at("hypervolume")[loop], pareto.numbers.at("hypervolume")[loop - 1]);
    }
  }

  // Interrupted within the third loop, then resumed: the same archive.
  InterruptedRun killed("epoch 4/4 evaluate   [################........] 2/3");
  EXPECT_THROW(run_tiny_search(overrides, runs.file("parts"), killed.out), std::runtime_error);
  overrides.push_back("run.dir=" + runs.file("parts"));
  SearchLoop(ExperimentConfig::load(search_schema(), "", overrides), runs.file("parts"), true, progress).run();
  expect_same_archive(runs.file("parts"), runs.file("whole"));
  EXPECT_EQ(read_archive_table(runs.file("parts") + "/run.h5", "pareto").numbers.at("hypervolume"),
            pareto.numbers.at("hypervolume"));

  // train_arch trains a point of the last front: point 1 is its most accurate.
  std::size_t most_accurate = front.rows;
  const std::int64_t last_epoch = front.integers.at("epoch").back();
  for (std::size_t i = 0; i < front.rows; ++i) {
    if (front.integers.at("epoch")[i] == last_epoch &&
        (most_accurate == front.rows || front.numbers.at("accuracy")[i] > front.numbers.at("accuracy")[most_accurate]))
      most_accurate = i;
  }
  std::ostringstream train_out, train_err;
  ASSERT_EQ(run_train_cli({"train_arch", "--from-run", runs.file("whole"), "--pareto", "1", "--dry-run"}, train_out,
                          train_err),
            0)
      << train_err.str();
  EXPECT_NE(train_out.str().find(front.texts.at("canonical")[most_accurate]), std::string::npos) << train_out.str();
  EXPECT_NE(train_out.str().find("Pareto point 1 of "), std::string::npos) << train_out.str();
  EXPECT_EQ(run_train_cli({"train_arch", "--from-run", runs.file("whole"), "--pareto", "99", "--dry-run"}, train_out,
                          train_err),
            2);
  EXPECT_NE(train_err.str().find("--pareto 99: the last Pareto front of "), std::string::npos) << train_err.str();

  // Random sampling with the same objectives: the same record, for comparing the two at one budget.
  std::vector<std::string> random = tiny(data, "random");
  random.push_back("search.objectives=accuracy,params");
  run_tiny_search(random, runs.file("random"), progress);
  const TableColumns random_pareto = read_archive_table(runs.file("random") + "/run.h5", "pareto");
  ASSERT_EQ(random_pareto.rows, 2u);
  EXPECT_EQ(random_pareto.numbers.at("reference_params").front(), reference_params);  // one space, one reference
  // A single-objective run has no front to train from.
  run_tiny_search(tiny(data, "random"), runs.file("single"), progress);
  EXPECT_EQ(run_train_cli({"train_arch", "--from-run", runs.file("single"), "--pareto", "1", "--dry-run"}, train_out,
                          train_err),
            2);
  EXPECT_NE(train_err.str().find("holds no Pareto front"), std::string::npos) << train_err.str();
}

// FBNet's latency lookup table: measured on the first search that names
// its file, reused by the next, refused for another timing setting; every
// candidate gets latency_ms, which can be an objective and a constraint.
TEST(SearchLoop, ALatencyTableIsMeasuredOnceReusedAndRefusedForAnotherSetting) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::vector<std::string> overrides = tiny(data, "random");
  overrides.insert(overrides.end(),
                   {"space.name=spos", "space.stage_repeats=[1,2]", "space.stage_channels=[16,32]",
                    "space.stem_channels=8", "search.latency_table=" + runs.file("table.tsv"), "search.latency_runs=1",
                    "search.latency_warmup=0", "search.objectives=accuracy,latency_ms"});
  std::ostringstream progress;
  run_tiny_search(overrides, runs.file("first"), progress);
  ASSERT_TRUE(std::filesystem::exists(runs.file("table.tsv")));
  const TableColumns archs = read_archive_table(runs.file("first") + "/run.h5", "archs");
  ASSERT_TRUE(archs.numbers.count("latency_ms"));
  for (std::size_t i = 0; i < archs.rows; ++i) {
    if (archs.texts.at("phase")[i] != "child") {
      EXPECT_GT(archs.numbers.at("latency_ms")[i], 0.0) << i;
    }
  }
  EXPECT_GT(read_archive_table(runs.file("first") + "/run.h5", "pareto").numbers.at("reference_latency_ms").front(),
            0.0);
  const auto modified = std::filesystem::last_write_time(runs.file("table.tsv"));
  run_tiny_search(overrides, runs.file("second"), progress);
  EXPECT_EQ(std::filesystem::last_write_time(runs.file("table.tsv")), modified);  // reused, not measured again
  std::ifstream log(runs.file("second") + "/log.txt");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("latency table " + runs.file("table.tsv") + " (3 layers)"), std::string::npos) << text;

  const auto refusal = [&](std::vector<std::string> extra) {
    std::vector<std::string> o = overrides;
    o.insert(o.end(), extra.begin(), extra.end());
    return config_refusal(o, runs.file("refused"));
  };
  EXPECT_NE(refusal({"search.latency_runs=2"}).find("[search] latency_table"), std::string::npos);
  EXPECT_NE(refusal({"search.latency_runs=2"}).find("timed passes: 1 in the table, 2 here"), std::string::npos);
  EXPECT_NE(refusal({"search.max_latency_ms=1e-9"}).find("[search] max_latency_ms"), std::string::npos);
  EXPECT_NE(refusal({"search.max_latency_ms=1e-9"}).find("latency_ms <= 1e-09"), std::string::npos);
  EXPECT_NE(refusal({"search.latency_table=", "search.max_latency_ms=5"}).find("needs [search] latency_table"),
            std::string::npos);
  std::vector<std::string> cells = tiny(data, "random");  // enas_micro: cells, not a chain of layers
  cells.push_back("search.latency_table=" + runs.file("cells.tsv"));
  EXPECT_NE(config_refusal(cells, runs.file("refused")).find("not a chain of searched layers"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(runs.file("cells.tsv")));
  EXPECT_EQ(std::filesystem::last_write_time(runs.file("table.tsv")), modified);  // no refusal touched it
}

// Objectives and reference points a search cannot use are refused by key.
TEST(SearchLoop, UnusableObjectivesAreRefusedByKeyBeforeAnythingIsWritten) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  const auto refused = [&](std::vector<std::string> extra, const std::string& controller) {
    std::vector<std::string> overrides = tiny(data, controller);
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    return config_refusal(overrides, runs.file("refused"));
  };
  EXPECT_NE(refused({"search.objectives=accuracy,latency_ms"}, "random").find("[search] objectives"),
            std::string::npos);
  EXPECT_NE(refused({"search.objectives=accuracy,latency_ms"}, "random").find("does not measure"), std::string::npos);
  EXPECT_NE(refused({"search.objectives=accuracy,macs,accuracy"}, "random").find("listed twice"), std::string::npos);
  EXPECT_NE(refused({"search.objectives=macs,accuracy"}, "random").find("list a maximised metric (accuracy) first"),
            std::string::npos);
  EXPECT_NE(refused({"search.objectives=accuracy,latency_ms"}, "random").find("needs [search] latency_table"),
            std::string::npos);
  EXPECT_NE(refused({"search.objectives=accuracy", "search.epochs=5"}, "dynas").find("multi-objective"),
            std::string::npos);
  EXPECT_NE(refused({"search.objectives=accuracy,macs", "search.hypervolume_reference=0"}, "random")
                .find("1 values for 2 objectives"),
            std::string::npos);
  EXPECT_NE(refused({"search.objectives=accuracy,macs", "search.hypervolume_reference=0,lots"}, "random")
                .find("'lots' is not a number"),
            std::string::npos);
  EXPECT_NE(refused({"search.objectives=accuracy,loss"}, "random").find("no default reference for objective 'loss'"),
            std::string::npos);
}

// A predictor fitted on what one run measured scores another run's
// candidates: no training, and every row says which evaluator scored it.
TEST(SearchLoop, APredictorFittedOnAnotherRunEvaluatesCandidates) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::vector<std::string> measured = tiny(data, "random");
  measured.push_back("controller.updates_per_epoch=4");  // 2 epochs x 4 x 3 = 24 measured architectures
  std::ostringstream progress;
  run_tiny_search(measured, runs.file("measured"), progress);
  std::vector<std::string> predicted = tiny(data, "random");
  predicted.push_back("search.evaluation=predictor");
  predicted.push_back("search.predictor_data=" + runs.file("measured"));
  const SearchResult result = run_tiny_search(predicted, runs.file("predicted"), progress);
  const TableColumns archs = read_archive_table(runs.file("predicted") + "/run.h5", "archs");
  EXPECT_EQ(archs.rows, 2u * 6 + 2);  // no weight training: no child rows
  for (std::size_t i = 0; i < archs.rows; ++i) {
    EXPECT_EQ(archs.texts.at("evaluator")[i], "predictor");
    EXPECT_TRUE(std::isfinite(archs.numbers.at("accuracy")[i]));
  }
  EXPECT_EQ(result.top.size(), 2u);
  // Another space's measurements are refused by name.
  predicted.push_back("space.nodes=4");
  std::ostringstream out, err;
  EXPECT_EQ(run_search_cli(command_line("nas_search", runs.file("other"), predicted), "", out, err), 2);
  EXPECT_NE(err.str().find("measured space enas_micro(nodes=5)"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace experiments

namespace experiments {
namespace {

// A tiny FBNet search: 3 searched layers of 4 and 8 channels, 3 weight
// steps and at most 3 θ steps per epoch, the first epoch a warm-up of the
// weights alone, over a latency table measured in `table`.
std::vector<std::string> tiny_fbnet(const testing::TempDir& data, const std::string& run_dir, const std::string& table,
                                    std::vector<std::string> extra = {}) {
  std::vector<std::string> overrides = {"data.dataset=mnist",
                                        "data.path=" + data.path().string(),
                                        "data.validation_size=100",
                                        "space.stage_channels=[4,8]",
                                        "space.stage_repeats=[1,2]",
                                        "space.stage_strides=[1,2]",
                                        "space.stem_channels=4",
                                        "space.head_channels=8",
                                        "child.batch_size=8",
                                        "child.steps_per_epoch=3",
                                        "controller.valid_batch_size=8",
                                        "controller.warmup_epochs=1",
                                        "controller.samples=2",
                                        "controller.temperature_decay=0.045",
                                        "search.epochs=3",
                                        "search.top_k=3",
                                        "search.recalibration_batches=2",
                                        "search.evaluation_batches=2",
                                        "search.latency_table=" + table,
                                        "search.latency_runs=2",
                                        "search.latency_warmup=1",
                                        "run.threads=1"};
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  return command_line("fbnet_search", run_dir, overrides);
}

// FBNet through the core: a warm-up epoch of weight steps on Gumbel
// samples, then epochs of weight steps followed by θ steps on the
// validation split; each epoch evaluates the argmax and 2 samples of P_θ
// and reports θ with the temperature in use (5.0, decayed by exp(-0.045)
// after each θ epoch); the result trains with train_arch.
TEST(SearchLoop, FbnetWarmsUpThenAlternatesWeightAndThetaEpochsAndAnnealsTheTemperature) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  testing::write_mnist_like(data, "t10k", 60, true);
  std::ostringstream out, err;
  ASSERT_EQ(run_search_cli(tiny_fbnet(data, runs.file("run"), runs.file("table.tsv")), "fbnet", out, err,
                           "fashion_mnist_fbnet.toml"),
            0)
      << err.str();
  const std::string archive = runs.file("run") + "/run.h5";
  const TableColumns controller_rows = read_archive_table(archive, "controller");
  EXPECT_EQ(controller_rows.texts.at("kind"),
            (std::vector<std::string>{"update", "architecture_step", "architecture_step", "architecture_step", "update",
                                      "architecture_step", "architecture_step", "architecture_step", "update"}));
  EXPECT_EQ(read_archive_table(archive, "training").rows, 9u);  // 3 weight steps in every epoch
  const TableColumns theta = read_archive_table(archive, "theta");
  ASSERT_EQ(theta.rows, 3u);
  EXPECT_DOUBLE_EQ(theta.numbers.at("temperature")[0], 5.0);
  EXPECT_DOUBLE_EQ(theta.numbers.at("temperature")[1], 5.0);  // the first θ epoch runs at the initial τ
  EXPECT_NEAR(theta.numbers.at("temperature")[2], 5.0 * std::exp(-0.045), 1e-12);
  ASSERT_EQ(theta.number_arrays.at("probabilities")[0].size(), 3u * 9u);                        // [layers, blocks]
  for (double p : theta.number_arrays.at("probabilities")[0]) EXPECT_NEAR(p, 1.0 / 9.0, 1e-6);  // θ held in warm-up
  EXPECT_NE(theta.number_arrays.at("probabilities")[1], theta.number_arrays.at("probabilities")[0]);  // θ learned
  double row_sum = 0;
  for (int b = 0; b < 9; ++b) row_sum += theta.number_arrays.at("probabilities")[2][static_cast<std::size_t>(b)];
  EXPECT_NEAR(row_sum, 1.0, 1e-6);
  EXPECT_GT(theta.numbers.at("argmax_table_latency_ms")[2], 0.0);
  // Each epoch's evaluation: the argmax and 2 samples; the final phase
  // re-measures the result, the last argmax.
  const TableColumns archs = read_archive_table(archive, "archs");
  std::size_t evaluated = 0, final_rows = 0;
  for (std::size_t i = 0; i < archs.rows; ++i) {
    evaluated += archs.texts.at("phase")[i] == "controller" ? 1 : 0;
    final_rows += archs.texts.at("phase")[i] == "final" ? 1 : 0;
    EXPECT_GT(archs.numbers.at("latency_ms")[i], 0.0) << i;
  }
  EXPECT_EQ(evaluated, 9u);
  ASSERT_EQ(final_rows, 1u);
  EXPECT_EQ(archs.texts.at("canonical").back(), theta.texts.at("argmax")[2]);
  std::ostringstream train_out, train_err;
  ASSERT_EQ(run_train_cli({"train_arch", "--from-run", runs.file("run"), "--run-dir", runs.file("train"), "--set",
                           "data.dataset=mnist", "--set", "data.path=" + data.path().string(), "--set",
                           "train.epochs=1", "--set", "train.steps_per_epoch=2"},
                          train_out, train_err),
            0)
      << train_err.str();
}

// Killed in its last epoch's θ pass, an FBNet search resumes to the
// uninterrupted run's archive, θ and the temperature included.
TEST(SearchLoop, FbnetResumeEqualsTheUninterruptedRun) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  const std::string table = runs.file("table.tsv");
  std::ostringstream out, err;
  ASSERT_EQ(run_search_cli(tiny_fbnet(data, runs.file("whole"), table), "fbnet", out, err, "fashion_mnist_fbnet.toml"),
            0)
      << err.str();
  InterruptedRun killed("epoch 3/3 architecture");
  EXPECT_NE(
      run_search_cli(tiny_fbnet(data, runs.file("parts"), table), "fbnet", killed.out, err, "fashion_mnist_fbnet.toml"),
      0);
  ASSERT_EQ(
      run_search_cli({"fbnet_search", "--resume", runs.file("parts")}, "fbnet", out, err, "fashion_mnist_fbnet.toml"),
      0)
      << err.str();
  expect_same_archive(runs.file("parts"), runs.file("whole"));
  const TableColumns a = read_archive_table(runs.file("parts") + "/run.h5", "theta"),
                     b = read_archive_table(runs.file("whole") + "/run.h5", "theta");
  EXPECT_EQ(a.number_arrays.at("probabilities"), b.number_arrays.at("probabilities"));
  EXPECT_EQ(a.numbers.at("temperature"), b.numbers.at("temperature"));
  EXPECT_EQ(a.texts.at("argmax"), b.texts.at("argmax"));
}

// The latency-aware loss needs the table: without one the search is
// refused before anything is written, naming the setting; with the
// additive loss at alpha 0 (plain cross-entropy) it runs without.
TEST(SearchLoop, FbnetWithoutALatencyTableIsRefusedUnlessItsLossIgnoresLatency) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  std::ostringstream out, err;
  EXPECT_EQ(run_search_cli(tiny_fbnet(data, runs.file("refused"), "", {"search.epochs=2"}), "fbnet", out, err,
                           "fashion_mnist_fbnet.toml"),
            2);
  EXPECT_NE(err.str().find("[search] latency_table"), std::string::npos) << err.str();
  EXPECT_EQ(err.str().find("frame #"), std::string::npos) << err.str();
  EXPECT_FALSE(std::filesystem::exists(runs.file("refused")));
  ASSERT_EQ(run_search_cli(tiny_fbnet(data, runs.file("plain"), "",
                                      {"search.epochs=2", "controller.loss=additive", "controller.alpha=0"}),
                           "fbnet", out, err, "fashion_mnist_fbnet.toml"),
            0)
      << err.str();
}

}  // namespace
}  // namespace experiments

// --- Trial-based search over hyper-spaces (hyper_search) ---------------------

namespace experiments {
namespace {

// 240 rows of three numeric features; the class is whether x0 + x1 > 0.
std::string write_tabular_csv(const testing::TempDir& dir) {
  const std::string path = dir.file("table.csv");
  std::ofstream out(path);
  out << "id,x0,x1,x2,class\n";
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int i = 0; i < 240; ++i) {
    const double x0 = u(rng), x1 = u(rng), x2 = u(rng);
    out << i << "," << x0 << "," << x1 << "," << x2 << "," << (x0 + x1 > 0 ? "up" : "down") << "\n";
  }
  return path;
}

// A tiny trial search of a small DNN hyper-space on that table.
std::vector<std::string> tiny_tabular(const testing::TempDir& data, const std::string& controller) {
  return {"data.dataset=csv",
          "data.path=" + write_tabular_csv(data),
          "data.label=class",
          "data.ignore_columns=id",
          "data.validation_size=48",
          "space.name=hyper_dnn",
          "space.units=[4,8]",
          "space.reduce_factors=1/0.5",
          "space.layers=[2,3]",
          "space.dropout_max=0.2",
          "child.batch_size=16",
          "controller.name=" + controller,
          "controller.updates_per_epoch=2",
          "controller.archs_per_update=2",
          "controller.valid_batch_size=48",
          "search.epochs=2",
          "search.top_k=1",
          "search.evaluation=trial",
          "search.trial_epochs=1",
          "run.threads=1"};
}

// The rows the strategy's proposals made (not the final measurement).
std::vector<std::size_t> controller_rows(const TableColumns& archs) {
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < archs.rows; ++i) {
    if (archs.texts.at("phase")[i] == "controller") rows.push_back(i);
  }
  return rows;
}

TEST(HyperSearch, EverySearcherTrainsTrialsOfATabularHyperSpaceAndArchivesThem) {
  for (const std::string controller : {"random", "grid", "bayes_opt", "mcts"}) {
    testing::TempDir data, runs;
    std::ostringstream progress;
    run_tiny_search(tiny_tabular(data, controller), runs.file("run"), progress);
    const TableColumns archs = read_archive_table(runs.file("run") + "/run.h5", "archs");
    const std::vector<std::size_t> rows = controller_rows(archs);
    ASSERT_EQ(rows.size(), 8u) << controller;
    const auto space = spaces::make_space("hyper_dnn(units=[4,8],reduce_factors=1/0.5,layers=[2,3],dropout_max=0.2)");
    std::set<std::string> distinct;
    for (std::size_t i : rows) {
      EXPECT_EQ(archs.texts.at("evaluator")[i], "trial");
      const double accuracy = archs.numbers.at("accuracy")[i];
      EXPECT_TRUE(accuracy >= 0.0 && accuracy <= 1.0) << controller << " row " << i;
      EXPECT_GT(archs.numbers.at("seconds")[i], 0.0);
      EXPECT_GT(archs.numbers.at("params")[i], 0.0);
      // The hyper-parameters, as the space's assignment text, read back to the tokens archived.
      const std::string& text = archs.texts.at("canonical")[i];
      EXPECT_EQ(space->parse(text).tokens, archs.integer_rows.at("tokens")[i]) << text;
      distinct.insert(text);
    }
    EXPECT_EQ(distinct.size(), rows.size()) << controller << ": skip_seen is off, yet no searcher repeats itself";
  }
}

TEST(HyperSearch, MaxTrialsAndSkipSeenBoundTheNetworksTrained) {
  testing::TempDir data, runs;
  std::ostringstream progress;
  // A space of 2 x 2 x 2 x 2 x (orders) networks, searched at random far longer than it is.
  auto overrides = tiny_tabular(data, "random");
  overrides.insert(overrides.end(), {"space.units=[4]", "space.reduce_factors=1", "space.activations=relu",
                                     "space.dropout_max=0.1", "search.skip_seen=true", "search.epochs=10"});
  run_tiny_search(overrides, runs.file("seen"), progress);
  const auto space = spaces::make_space(
      "hyper_dnn(units=[4],reduce_factors=1,activations=relu,layers=[2,3],"
      "dropout_max=0.1)");
  const TableColumns seen = read_archive_table(runs.file("seen") + "/run.h5", "archs");
  std::set<std::string> distinct;
  for (std::size_t i : controller_rows(seen)) distinct.insert(seen.texts.at("canonical")[i]);
  EXPECT_EQ(distinct.size(), controller_rows(seen).size()) << "a network was trained twice";
  EXPECT_LE(static_cast<double>(distinct.size()), std::pow(10.0, space->size().log10()) + 0.5);
  EXPECT_LT(controller_rows(seen).size(), 40u);  // 40 proposals, most of them repeats

  overrides = tiny_tabular(data, "random");
  overrides.push_back("search.max_trials=5");
  run_tiny_search(overrides, runs.file("budget"), progress);
  EXPECT_EQ(controller_rows(read_archive_table(runs.file("budget") + "/run.h5", "archs")).size(), 5u);
}

TEST(HyperSearch, ATrialClearlyBehindTheBestStopsAfterItsFirstEpoch) {
  testing::TempDir data, runs;
  std::ostringstream progress;
  auto overrides = tiny_tabular(data, "random");
  overrides.insert(overrides.end(), {"search.trial_epochs=3", "search.trial_early_stop=0.001", "search.epochs=3"});
  run_tiny_search(overrides, runs.file("run"), progress);
  const TableColumns archs = read_archive_table(runs.file("run") + "/run.h5", "archs");
  int stopped = 0;
  double best = -1.0;
  for (std::size_t i : controller_rows(archs)) {
    const double accuracy = archs.numbers.at("accuracy")[i];
    if (archs.numbers.at("stopped_early")[i] == 1.0) {
      ++stopped;
      EXPECT_LT(accuracy, best - 0.001) << "row " << i << " stopped though it was not behind the best";
    }
    best = std::max(best, accuracy);
  }
  EXPECT_GE(stopped, 1);
}

TEST(HyperSearch, ResumeWithinTheTrialSequenceEqualsTheUninterruptedRun) {
  for (const std::string controller : {"bayes_opt", "mcts", "grid"}) {
    testing::TempDir data, runs;
    auto overrides = tiny_tabular(data, controller);
    overrides.insert(overrides.end(), {"run.checkpoint_evaluations=1", "search.skip_seen=true"});
    std::ostringstream progress;
    run_tiny_search(overrides, runs.file("whole"), progress);
    InterruptedRun killed("epoch 2/2 evaluate   [############............] 1/2");
    EXPECT_THROW(run_tiny_search(overrides, runs.file("parts"), killed.out), std::runtime_error);
    overrides.push_back("run.dir=" + runs.file("parts"));
    SearchLoop(ExperimentConfig::load(search_schema(), "", overrides), runs.file("parts"), true, progress).run();
    expect_same_archive(runs.file("parts"), runs.file("whole"));
  }
}

// A small space searched at random: repeats are certain, so skip_seen and
// the trial count matter across the resume.
std::vector<std::string> tiny_repeating(const testing::TempDir& data) {
  auto overrides = tiny_tabular(data, "random");
  overrides.insert(overrides.end(),
                   {"space.units=[4]", "space.reduce_factors=1", "space.activations=relu", "space.dropout_max=0.1",
                    "search.skip_seen=true", "search.epochs=6", "run.checkpoint_evaluations=1"});
  return overrides;
}

TEST(HyperSearch, ARunStoppedByItsTrialBudgetResumesWithALargerOneAsOneRun) {
  testing::TempDir data, runs;
  std::ostringstream progress;
  auto whole = tiny_repeating(data);
  whole.push_back("search.max_trials=9");
  run_tiny_search(whole, runs.file("whole"), progress);
  EXPECT_EQ(controller_rows(read_archive_table(runs.file("whole") + "/run.h5", "archs")).size(), 9u);
  auto parts = tiny_repeating(data);
  parts.push_back("search.max_trials=4");
  run_tiny_search(parts, runs.file("parts"), progress);
  EXPECT_EQ(controller_rows(read_archive_table(runs.file("parts") + "/run.h5", "archs")).size(), 4u);
  whole.push_back("run.dir=" + runs.file("parts"));
  SearchLoop(ExperimentConfig::load(search_schema(), "", whole), runs.file("parts"), true, progress).run();
  expect_same_archive(runs.file("parts"), runs.file("whole"));
}

TEST(HyperSearch, ResumeWithinAnUpdateKeepsTheSkippedAndTheTrainedApart) {
  testing::TempDir data, runs;
  std::ostringstream progress;
  auto overrides = tiny_repeating(data);
  overrides.push_back("search.max_trials=10");
  run_tiny_search(overrides, runs.file("whole"), progress);
  InterruptedRun killed("epoch 3/6 evaluate   [############............] 1/2");
  EXPECT_THROW(run_tiny_search(overrides, runs.file("parts"), killed.out), std::runtime_error);
  overrides.push_back("run.dir=" + runs.file("parts"));
  SearchLoop(ExperimentConfig::load(search_schema(), "", overrides), runs.file("parts"), true, progress).run();
  expect_same_archive(runs.file("parts"), runs.file("whole"));
}

TEST(HyperSearch, ATimeBudgetStopsTheSearchBeforeTheNextUpdate) {
  testing::TempDir data, runs;
  std::ostringstream progress;
  auto overrides = tiny_tabular(data, "random");
  overrides.push_back("search.max_seconds=1e-6");
  run_tiny_search(overrides, runs.file("run"), progress);
  EXPECT_EQ(controller_rows(read_archive_table(runs.file("run") + "/run.h5", "archs")).size(), 0u);
  std::ifstream log(runs.file("run") + "/log.txt");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("the search's budget is spent"), std::string::npos) << text;
}

TEST(HyperSearch, SharedWeightEvaluationOfAHyperSpaceIsRefusedByKey) {
  testing::TempDir data, runs;
  auto overrides = tiny_tabular(data, "random");
  overrides.push_back("search.evaluation=shared");
  const std::string refusal = config_refusal(overrides, runs.file("run"));
  EXPECT_NE(refusal.find("[search] evaluation = 'shared': space 'hyper_dnn' has no shared weights"), std::string::npos)
      << refusal;
}

TEST(HyperSearch, BadDataAndHyperSpaceSettingsExitWithTwoNamingThem) {
  testing::TempDir data, runs;
  std::ostringstream out, err;
  auto args = [&](std::vector<std::string> extra) {
    std::vector<std::string> overrides = tiny_tabular(data, "random");
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    return command_line("hyper_search", runs.file("bad"), overrides);
  };
  EXPECT_EQ(run_search_cli(args({"data.path=" + runs.file("absent.csv")}), "", out, err), 2);
  EXPECT_NE(err.str().find("absent.csv: cannot open the CSV file"), std::string::npos) << err.str();
  EXPECT_EQ(run_search_cli(args({"data.label=klass"}), "", out, err), 2);
  EXPECT_NE(err.str().find("no column 'klass'"), std::string::npos) << err.str();
  EXPECT_EQ(run_search_cli(args({"space.activations=relu/gelu"}), "", out, err), 2);
  EXPECT_NE(err.str().find("unknown activation 'gelu'"), std::string::npos) << err.str();
  EXPECT_EQ(run_search_cli(args({"space.reduce_factors=1/x"}), "", out, err), 2);
  EXPECT_NE(err.str().find("'x' is not a number"), std::string::npos) << err.str();
  EXPECT_FALSE(std::filesystem::exists(runs.file("bad")));
}

}  // namespace
}  // namespace experiments
