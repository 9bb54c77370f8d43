#include "experiments/report/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "experiments/archive/archive_contents.h"
#include "experiments/archive/run_archive.h"
#include "experiments/harness/external_command.h"
#include "experiments/report/gnuplot_figure.h"
#include "experiments/report/html_text.h"
#include "experiments/report/report_cli.h"
#include "experiments/search/search_cli.h"
#include "experiments/train/train_cli.h"
#include "spaces/registry.h"
#include "tests/experiments/data/data_files.h"

namespace experiments {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_text(const fs::path& path) { return read_whole_file(path); }

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++count;
  return count;
}

struct Cli {
  int code = 0;
  std::string out, err;
};

Cli nas_report(std::vector<std::string> args) {
  args.insert(args.begin(), "nas_report");
  std::ostringstream out, err;
  const int code = run_report_cli(args, out, err);
  return {code, out.str(), err.str()};
}

// A tiny ENAS search and a tiny final training on synthetic images, made
// once for the suite (each report test only reads them).
class Report : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new testing::TempDir;
    runs_ = new testing::TempDir;
    testing::write_mnist_like(*data_, "train", 300, true);
    testing::write_mnist_like(*data_, "t10k", 40, true);
    std::vector<std::string> search = {"nas_search", "--run-dir", search_dir()};
    for (const std::string& o : std::vector<std::string>{
             "data.dataset=mnist", "data.path=" + data_->path().string(), "data.validation_size=60", "child.channels=4",
             "child.cells_per_stage=0", "child.batch_size=16", "child.steps_per_epoch=3", "controller.name=enas",
             "controller.updates_per_epoch=2", "controller.archs_per_update=3", "controller.valid_batch_size=20",
             "search.epochs=2", "search.top_k=2", "run.threads=1", "space.name=enas_micro"}) {
      search.insert(search.end(), {"--set", o});
    }
    std::ostringstream out, err;
    ASSERT_EQ(run_search_cli(search, "", out, err), 0) << err.str();
    std::vector<std::string> train = {
        "train_arch", "--space",  "enas_micro(nodes=2)", "--arch", "0 0 1 1 2 2 0 3 0 1 1 4 2 0 1 3",
        "--run-dir",  train_dir()};
    for (const std::string& o :
         std::vector<std::string>{"data.dataset=mnist", "data.path=" + data_->path().string(), "network.channels=4",
                                  "network.cells_per_stage=0", "train.epochs=2", "train.batch_size=16",
                                  "train.steps_per_epoch=3", "run.threads=1"}) {
      train.insert(train.end(), {"--set", o});
    }
    ASSERT_EQ(run_train_cli(train, out, err), 0) << err.str();
  }
  static void TearDownTestSuite() {
    delete runs_;
    delete data_;
  }
  static std::string search_dir() { return runs_->file("enas_tiny"); }
  static std::string train_dir() { return runs_->file("train_tiny"); }

  static testing::TempDir* data_;
  static testing::TempDir* runs_;
};
testing::TempDir* Report::data_ = nullptr;
testing::TempDir* Report::runs_ = nullptr;

// The page of a search holds its sections, its best architectures and
// wall time as the archive has them; summary.json says the same.
TEST_F(Report, OfASearchShowsWhatTheArchiveHolds) {
  const Cli cli = nas_report({search_dir()});
  ASSERT_EQ(cli.code, 0) << cli.err;
  const fs::path folder = fs::path(search_dir()) / "report";
  EXPECT_NE(cli.out.find((folder / "index.html").string()), std::string::npos) << cli.out;
  const std::string html = read_text(folder / "index.html");
  for (const char* section : {"overview", "best-architectures", "search-curves", "cost", "config"}) {
    EXPECT_NE(html.find(std::string("<section class=\"") + section + "\""), std::string::npos) << section;
  }
  EXPECT_EQ(html.find("http-equiv=\"refresh\""), std::string::npos);
  // Self-contained: nothing on the page is fetched.
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(occurrences(html, "src=\""), occurrences(html, "src=\"data:image/svg+xml;base64,"));
  // Figures: the reward per epoch and in evaluation order, the wall time,
  // the controller's mean reward, baseline and entropy, the shared weights'
  // loss, accuracy and learning rate, and accuracy against parameters and
  // MACs (no accuracy figure: ENAS's reward is the accuracy); the cells of
  // the 2 final architectures.
  EXPECT_EQ(occurrences(html, "<img src=\"data:image/svg+xml;base64,"), 11u);
  EXPECT_EQ(occurrences(html, "<img class=\"cell\" src=\"data:image/svg+xml;base64,"), 2u);

  const SearchOutcome outcome = read_search_outcome(search_dir() + "/run.h5");
  ASSERT_EQ(outcome.final_archs.size(), 2u);
  const TableColumns progress = read_archive_table(search_dir() + "/run.h5", "progress");
  ASSERT_EQ(progress.rows, 3u);  // two epochs, then the end of the search
  EXPECT_EQ(progress.texts.at("event"), (std::vector<std::string>{"epoch", "epoch", "finished"}));
  const double wall = progress.numbers.at("seconds").back();
  EXPECT_GT(wall, progress.numbers.at("seconds").front());

  const json summary = json::parse(read_text(folder / "summary.json"));
  EXPECT_EQ(summary["kind"], "search");
  EXPECT_EQ(summary["strategy"], "enas");
  EXPECT_EQ(summary["finished"], true);
  EXPECT_EQ(summary["epochs"], 2);
  EXPECT_EQ(summary["evaluated"], 2 * 2 * 3);
  EXPECT_EQ(summary["wall_seconds"].get<double>(), wall);
  EXPECT_EQ(summary["config"]["controller"]["name"], "enas");
  ASSERT_EQ(summary["best"].size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(summary["best"][i]["architecture"], outcome.final_archs[i].canonical);
    EXPECT_EQ(summary["best"][i]["metrics"]["accuracy"].get<double>(), outcome.final_archs[i].accuracy);
    EXPECT_NE(html.find(escape_html(outcome.final_archs[i].canonical)), std::string::npos);
  }
  EXPECT_NE(html.find("<td>" + fixed_text(outcome.final_archs[0].accuracy, 4) + "</td>"), std::string::npos);
  EXPECT_NE(html.find(duration_text(wall)), std::string::npos);
}

TEST_F(Report, OfAFinalTrainingShowsItsEpochs) {
  ASSERT_EQ(nas_report({train_dir()}).code, 0);
  const fs::path folder = fs::path(train_dir()) / "report";
  const std::string html = read_text(folder / "index.html");
  for (const char* section : {"overview", "best-architectures", "training-curves", "config"}) {
    EXPECT_NE(html.find(std::string("<section class=\"") + section + "\""), std::string::npos) << section;
  }
  EXPECT_EQ(html.find("<section class=\"search-curves\""), std::string::npos);
  const ArchiveContents archive = read_archive_contents(train_dir() + "/run.h5");
  const TableColumns& epochs = archive.tables.at("epochs");
  const json summary = json::parse(read_text(folder / "summary.json"));
  EXPECT_EQ(summary["kind"], "train");
  EXPECT_EQ(summary["finished"], true);
  EXPECT_EQ(summary["epochs"], 2);
  EXPECT_EQ(summary["best"][0]["architecture"], archive.arch);
  EXPECT_EQ(summary["best"][0]["metrics"]["test_accuracy"].get<double>(), epochs.numbers.at("test_accuracy").back());
  EXPECT_EQ(summary["wall_seconds"].get<double>(), epochs.numbers.at("seconds").back());
  // Accuracy, loss and learning rate; the trained architecture's cells.
  EXPECT_EQ(occurrences(html, "<img src=\"data:image/svg+xml;base64,"), 3u);
  EXPECT_EQ(occurrences(html, "<img class=\"cell\""), 1u);
}

TEST_F(Report, OfSeveralRunsComparesThemInOnePage) {
  testing::TempDir out;
  const Cli without = nas_report({search_dir(), train_dir()});
  EXPECT_EQ(without.code, 2);
  EXPECT_NE(without.err.find("needs --output DIR"), std::string::npos) << without.err;
  const Cli cli = nas_report({search_dir(), train_dir(), "--output", out.file("both")});
  ASSERT_EQ(cli.code, 0) << cli.err;
  const json summary = json::parse(read_text(out.file("both") + "/summary.json"));
  ASSERT_EQ(summary["runs"].size(), 2u);
  EXPECT_EQ(summary["runs"][0]["name"], "enas_tiny");
  EXPECT_EQ(summary["runs"][1]["name"], "train_tiny");
  const std::string html = read_text(out.file("both") + "/index.html");
  EXPECT_NE(html.find("<section class=\"best-architectures\" data-run=\"0\">"), std::string::npos);
  EXPECT_NE(html.find("<section class=\"best-architectures\" data-run=\"1\">"), std::string::npos);
  EXPECT_NE(html.find("<h2>enas_tiny: Best architectures (final re-evaluation)</h2>"), std::string::npos);
}

// Opened in headless Chromium, the page renders every image and logs
// nothing (skipped where Chromium is not installed). A suite of its own, so
// that ctest reports the skip (tests/gtest_suites.cmake).
class ReportInChromium : public Report {};

TEST_F(ReportInChromium, RendersEveryImageAndLogsNothing) {
  ASSERT_EQ(nas_report({search_dir()}).code, 0);
  const std::string script = std::string(NAS_SOURCE_DIR) + "/tests/experiments/report/check_in_browser.sh";
  std::string verdict;
  try {
    verdict = run_tool({script, search_dir() + "/report/index.html"}, "", "");
  } catch (const ToolError& e) {
    const std::string what = e.what();
    if (what.find("exit 77") != std::string::npos) GTEST_SKIP() << "chromium is not installed";
    FAIL() << what;
  }
  EXPECT_NE(verdict.find("readable=1 sections=5 images=13 broken=0"), std::string::npos) << verdict;
}

TEST_F(Report, BadRunFoldersExitWithTwoAndNameTheFile) {
  testing::TempDir dir;
  const Cli missing = nas_report({dir.file("nothing")});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find(dir.file("nothing") + "/run.h5: no such run archive"), std::string::npos) << missing.err;
  fs::create_directories(dir.file("torn"));
  std::ofstream(dir.file("torn") + "/run.h5") << "not an archive";
  const Cli torn = nas_report({dir.file("torn")});
  EXPECT_EQ(torn.code, 2);
  EXPECT_NE(torn.err.find("not an HDF5 file"), std::string::npos) << torn.err;
  EXPECT_FALSE(fs::exists(dir.file("torn") + "/report"));
  EXPECT_EQ(nas_report({"--poll", "0", search_dir()}).code, 2);
}

// A synthetic archive with the records of DARTS, PNAS/NAO, evolution and a
// multi-objective search, and a table no section knows.
void write_strategy_archive(const std::string& path) {
  const spaces::SpacePtr space = spaces::make_space("darts");
  auto archive = RunArchive::create(path, space->spec(), "[controller]\nname = \"synthetic\"\n");
  std::vector<spaces::Record> records;
  for (std::int64_t epoch = 0; epoch < 3; ++epoch) {
    spaces::NumberArray weights{{14, 8}, std::vector<double>(14 * 8, 1.0 / 8)};
    weights.values[3] += 0.1 * double(epoch);  // edge 0's op 3 strengthens
    records.push_back(spaces::Record("alpha")
                          .set("epoch", epoch)
                          .set("step", epoch)
                          .set("normal", weights)
                          .set("reduce", weights)
                          .set("genotype", std::string("g") + std::to_string(epoch))
                          .set("skip_connect_share", 0.25));
    records.push_back(spaces::Record("progress")
                          .set("epoch", epoch)
                          .set("event", std::string("epoch"))
                          .set("seconds", 10.0 * double(epoch + 1)));
  }
  const auto stage = [](std::int64_t s, const std::string& cell, double predicted, double measured) {
    return spaces::Record("stages")
        .set("stage", s)
        .set("canonical", cell)
        .set("predicted_mean", predicted)
        .set("measured", measured);
  };
  records.push_back(stage(0, "A", 0.5, 0.6));
  records.push_back(stage(0, "B", 0.4, 0.7));
  records.push_back(stage(1, "C", 0.8, 0.75));
  records.push_back(stage(1, "D", 0.7, 0.65));
  records.push_back(
      spaces::Record("stage_summary").set("stage", std::int64_t{0}).set("spearman", 1.0).set("kendall", 1.0));
  const auto generated = [](const std::string& parent, const std::string& cell) {
    return spaces::Record("generated")
        .set("stage", std::int64_t{0})
        .set("parent_canonical", parent)
        .set("canonical", cell)
        .set("predicted_improvement", 0.1);
  };
  records.push_back(generated("A", "C"));  // 0.6 -> 0.75: better
  records.push_back(generated("B", "D"));  // 0.7 -> 0.65: worse
  records.push_back(generated("B", "E"));  // never measured
  for (std::int64_t g = 0; g < 3; ++g) {
    records.push_back(spaces::Record("generations").set("generation", g).set("fitness", 0.5 + 0.1 * double(g)));
  }
  records.push_back(spaces::Record("pareto")
                        .set("hypervolume", 0.4)
                        .set("front_size", std::int64_t{2})
                        .set("objectives", std::string("accuracy,latency_ms")));
  records.push_back(spaces::Record("mystery").set("value", 1.0));
  records.push_back(spaces::Record("mystery").set("value", 2.0));
  archive->append(records);
}

TEST(ReportRecords, EachStrategysRecordsGetTheirSectionAndUnknownTablesAreListed) {
  testing::TempDir dir;
  fs::create_directories(dir.file("run"));
  write_strategy_archive(dir.file("run") + "/run.h5");
  const Cli cli = nas_report({dir.file("run")});
  ASSERT_EQ(cli.code, 0) << cli.err;
  const std::string html = read_text(dir.file("run") + "/report/index.html");
  for (const char* section : {"alpha", "stages", "generated", "generations", "pareto", "other-tables"}) {
    EXPECT_NE(html.find(std::string("<section class=\"") + section + "\""), std::string::npos) << section;
  }
  EXPECT_NE(
      html.find("3 cells generated; 2 measured beside their parent, 1 of them better. 0 of the parents were kept"),
      std::string::npos);
  EXPECT_NE(html.find("<td>/mystery</td><td>2</td><td>1</td>"), std::string::npos);  // 2 rows of 1 column
  EXPECT_EQ(html.find("<td>/alpha</td>"), std::string::npos);
  const json summary = json::parse(read_text(dir.file("run") + "/report/summary.json"));
  EXPECT_EQ(summary["finished"], false);
  EXPECT_EQ(summary["wall_seconds"].get<double>(), 30.0);
  EXPECT_EQ(summary["strategy"], "synthetic");
}

// nas_report --live, in its own process as a user starts it, rewrites a
// reloading page while the run goes on and a last one without reloading
// once the run has finished; it reads the archive while this process holds
// it open for writing.
TEST(ReportLive, RewritesThePageUntilTheRunFinishes) {
  testing::TempDir dir;
  fs::create_directories(dir.file("run"));
  const std::string path = dir.file("run") + "/run.h5";
  auto archive = RunArchive::create(path, spaces::make_space("darts")->spec(), "[controller]\nname = \"synthetic\"\n");
  const auto progress = [](std::int64_t epoch, const std::string& event) {
    return spaces::Record("progress").set("epoch", epoch).set("event", event).set("seconds", double(epoch + 1));
  };
  archive->append({progress(0, "epoch")});
  std::string printed, failure;
  std::atomic<bool> stopped = false;
  std::thread watcher([&] {
    try {
      printed =
          run_tool({NAS_REPORT_BINARY, "--live", "--poll", "0.05", "--stale", "60", dir.file("run")}, "", "", 120);
    } catch (const ToolError& e) {
      failure = e.what();
    }
    stopped = true;
  });
  const fs::path page = dir.file("run") + "/report/index.html";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!fs::exists(page) && !stopped && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::string running = fs::exists(page) ? read_text(page) : "";
  archive->append({progress(1, "epoch"), progress(2, "finished")});
  watcher.join();
  ASSERT_EQ(failure, "");
  EXPECT_NE(running.find("<meta http-equiv=\"refresh\" content=\"1\">"), std::string::npos);
  EXPECT_EQ(read_text(page).find("http-equiv=\"refresh\""), std::string::npos);
  EXPECT_NE(printed.find("written (epochs 1 )"), std::string::npos) << printed;
  EXPECT_NE(printed.find("written (epochs 2f )"), std::string::npos) << printed;
}

TEST(ReportFigures, TheGnuplotScriptLeavesOutPointsNotRecordedAndQuotesTitles) {
  LineFigure figure{"a \"quoted\" title", "x", "y", {{"it's", {1, 2, NAN}, {3, NAN, 5}, SeriesStyle::kLines}}};
  const std::string script = gnuplot_script({figure}, {"/tmp/f.svg"}, 640, 400);
  EXPECT_NE(script.find("set title 'a \"quoted\" title'\n"), std::string::npos) << script;
  EXPECT_NE(script.find("title 'it''s'"), std::string::npos) << script;
  EXPECT_NE(script.find("$f0s0 << EOD\n1 3\nEOD\n"), std::string::npos) << script;
  EXPECT_FALSE(has_data(Figure{LineFigure{"t", "x", "y", {{"s", {NAN}, {1}}}}}));
  const std::vector<std::string> svgs = render_figures({figure});
  ASSERT_EQ(svgs.size(), 1u);
  EXPECT_NE(svgs[0].find("<svg"), std::string::npos);
}

// A title is text to gnuplot, whatever it holds: a run folder named with
// backquotes runs no command.
TEST(ReportFigures, TitlesRunNoCommands) {
  testing::TempDir dir;
  const std::string marker = dir.file("ran");
  LineFigure figure{"`touch " + marker + "` @x $y", "x", "y", {{"`touch " + marker + "`", {1}, {1}}}};
  const std::vector<std::string> svgs = render_figures({figure});
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_NE(svgs.at(0).find("`touch"), std::string::npos);
}

TEST(ReportText, Base64AndEscapingFollowTheirStandards) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64(std::string("\xff\xfe", 2)), "//4=");
  EXPECT_EQ(escape_html("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(duration_text(59.94), "59.9 s");
  EXPECT_EQ(duration_text(125), "2 min 05 s");
  EXPECT_EQ(duration_text(7440), "2 h 04 min");
  EXPECT_EQ(count_text(271818), "271.8 k");
}

TEST(ExternalCommand, RunsAProgramWithInputAndNamesFailures) {
  EXPECT_EQ(run_tool({"cat"}, "some input", ""), "some input");
  try {
    run_tool({"nas_no_such_program"}, "", "install hint");
    FAIL() << "no error";
  } catch (const ToolMissingError& e) {
    EXPECT_STREQ(e.what(), "nas_no_such_program is not installed (install hint)");
  }
  try {
    run_tool({"sh", "-c", "echo broken >&2; exit 3"}, "", "");
    FAIL() << "no error";
  } catch (const ToolError& e) {
    EXPECT_STREQ(e.what(), "sh failed (exit 3): broken");
  }
  const auto start = std::chrono::steady_clock::now();
  try {
    run_tool({"sleep", "30"}, "", "", 0.2);
    FAIL() << "no error";
  } catch (const ToolError& e) {
    EXPECT_STREQ(e.what(), "sleep ran past 0.2 s");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

}  // namespace
}  // namespace experiments
