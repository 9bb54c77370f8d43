#include "experiments/distributed/data_parallel.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "experiments/archive/archive_contents.h"
#include "experiments/archive/checkpoint.h"
#include "experiments/archive/run_archive.h"
#include "experiments/harness/external_command.h"
#include "experiments/search/search_cli.h"
#include "tests/experiments/data/data_files.h"
#include "tests/experiments/distributed/ranks.h"

extern char** environ;

namespace experiments {
namespace {

namespace fs = std::filesystem;

// Each rank's share of a batch of 5 over 2 ranks, and the mean over
// ranks of each share's loss gradient: the gradient of the whole batch's
// mean loss (equal shares), as one process computes it.
TEST(DataParallel, TheMeanOfTheSharesGradientsIsTheGlobalBatchsGradient) {
  const std::vector<int> codes = testing::run_ranks(2, [](int rank) {
    const World world = World::from_environment(20.0);
    if (share_of(5, world) !=
        (rank == 0 ? std::pair<std::int64_t, std::int64_t>{0, 3} : std::pair<std::int64_t, std::int64_t>{3, 5})) {
      return 1;
    }
    torch::manual_seed(7);  // the same weights and data on both ranks
    torch::nn::Linear model(8, 3);
    const Batch batch{torch::randn({16, 8}), torch::randint(0, 3, {16}, torch::kInt64)};
    torch::nn::functional::cross_entropy(model(batch.images), batch.labels).backward();
    std::vector<torch::Tensor> whole = {model->weight.grad().clone(), model->bias.grad().clone()};
    model->zero_grad();
    const Batch mine = shard_of(batch, world);
    if (mine.images.size(0) != 8 || !torch::equal(mine.labels, batch.labels.narrow(0, 8 * rank, 8))) return 2;
    torch::nn::functional::cross_entropy(model(mine.images), mine.labels).backward();
    std::vector<torch::Tensor> gradients = {model->weight.grad(), model->bias.grad()};
    averaged_gradients(world)(gradients);
    for (std::size_t i = 0; i < 2; ++i) {
      if (!torch::allclose(model->parameters()[i].grad(), whole[i], 1e-5, 1e-7)) return 3;
    }
    return 0;
  });
  EXPECT_EQ(codes, (std::vector<int>{0, 0}));
}

// The overrides of a tiny search on synthetic images.
std::vector<std::string> tiny_search(const std::string& data, const std::string& run_dir, int epochs) {
  std::vector<std::string> args = {NAS_SEARCH_BINARY, "--run-dir", run_dir};
  for (const std::string& o : std::vector<std::string>{
           "data.dataset=mnist", "data.path=" + data, "data.validation_size=60", "child.channels=4",
           "child.cells_per_stage=0", "child.batch_size=16", "child.steps_per_epoch=3",
           "controller.updates_per_epoch=2", "controller.archs_per_update=3", "controller.valid_batch_size=20",
           "search.epochs=" + std::to_string(epochs), "search.top_k=2", "run.threads=1", "space.name=enas_micro"}) {
    args.insert(args.end(), {"--set", o});
  }
  return args;
}

std::vector<std::string> launched(int ranks, std::vector<std::string> command) {
  command.insert(command.begin(), {NAS_LAUNCH_BINARY, "-n", std::to_string(ranks), "--"});
  return command;
}

std::size_t lines_with(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) count += line.find(what) != std::string::npos;
  return count;
}

// A search on 2 ranks: rank 0 alone writes the archive (the rows of one
// run, not two), the log and the checkpoints; the run resumes on 2 ranks
// and refuses to on 1.
TEST(DataParallel, ASearchOnTwoRanksWritesOnceAndResumesOnTwoRanksOnly) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  const std::string dir = runs.file("run");
  run_tool(launched(2, tiny_search(data.path().string(), dir, 1)), "", "", 300);
  const ArchiveContents archive = read_archive_contents(dir + "/run.h5");
  // 3 weight steps and 2 updates of 3 architectures, then the 2 final rows.
  EXPECT_EQ(archive.tables.at("archs").rows, 3u + 6u + 2u);
  EXPECT_EQ(archive.tables.at("training").rows, 3u);
  const std::string log = read_whole_file(dir + "/log.txt");
  EXPECT_EQ(lines_with(log, "data-parallel over 2 ranks: each trains on 8 of every batch of 16"), 1u) << log;
  EXPECT_EQ(lines_with(log, "epoch 1 weights"), 1u) << log;

  std::ostringstream out, err;
  const std::vector<std::string> resume = {"nas_search", "--resume", dir, "--set", "search.epochs=2"};
  EXPECT_EQ(run_search_cli(resume, "", out, err), 2);
  // The world size named as what does not fit, not the changed setting beside it.
  EXPECT_NE(err.str().find("epoch-000001.h5: written by 2 ranks; resume it with 2 ranks (nas_launch -n 2 ...), not 1"),
            std::string::npos)
      << err.str();
  EXPECT_EQ(err.str().find("changed settings"), std::string::npos) << err.str();
  run_tool(launched(2, {NAS_SEARCH_BINARY, "--resume", dir, "--set", "search.epochs=2"}), "", "", 300);
  EXPECT_EQ(read_archive_contents(dir + "/run.h5").tables.at("training").rows, 6u);
}

// Candidates evaluated as trials, spread over 2 ranks, measure exactly
// what one process measures: each trial is seeded by its candidate and
// where its batches start, and every rank skips the batches of the trials
// it leaves to the other. Trials of 1.2 epochs that may stop early after
// their first, the final phase and the ranking monitor's standalone trials.
TEST(DataParallel, TrialsSpreadOverTwoRanksMeasureWhatOneProcessMeasures) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  const auto search = [&](const std::string& dir) {
    std::vector<std::string> args = tiny_search(data.path().string(), dir, 2);
    for (const char* o :
         {"search.evaluation=trial", "search.trial_epochs=1.2", "search.trial_early_stop=0.01",
          "search.ranking_sample=3", "search.ranking_trial_epochs=0.2", "controller.archs_per_update=5"}) {
      args.insert(args.end(), {"--set", o});
    }
    return args;
  };
  run_tool(search(runs.file("one")), "", "", 300);
  run_tool(launched(2, search(runs.file("two"))), "", "", 300);
  for (const char* table : {"archs", "ranking"}) {
    const TableColumns one = read_archive_table(runs.file("one") + "/run.h5", table);
    const TableColumns two = read_archive_table(runs.file("two") + "/run.h5", table);
    ASSERT_EQ(one.rows, two.rows) << table;
    for (const auto& [name, column] : one.numbers) {
      if (name == "seconds") continue;  // wall time
      const std::vector<double>& other = two.numbers.at(name);
      for (std::size_t i = 0; i < one.rows; ++i) {
        EXPECT_TRUE(column[i] == other[i] || (std::isnan(column[i]) && std::isnan(other[i])))
            << table << "." << name << " row " << i << ": " << column[i] << " on one process, " << other[i]
            << " on two ranks";
      }
    }
    for (const auto& [name, column] : one.texts) EXPECT_EQ(column, two.texts.at(name)) << table << "." << name;
  }
  // 2 epochs of 2 updates of 5 trials, then the top 2 (measured already).
  const TableColumns archs = read_archive_table(runs.file("two") + "/run.h5", "archs");
  EXPECT_EQ(archs.rows, 20u + 2u);
  const std::vector<double>& stopped = archs.numbers.at("stopped_early");
  EXPECT_GE(std::count(stopped.begin(), stopped.end(), 1.0), 1) << "no trial stopped early; the test lost its point";
}

TEST(DataParallel, AFinalTrainingOnTwoRanksRecordsEachEpochOnce) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 96, true);
  testing::write_mnist_like(data, "t10k", 40, true);
  std::vector<std::string> train = {
      NAS_TRAIN_BINARY, "--space",       "enas_micro(nodes=2)", "--arch", "0 0 1 1 2 2 0 3 0 1 1 4 2 0 1 3",
      "--run-dir",      runs.file("run")};
  for (const std::string& o : std::vector<std::string>{
           "data.dataset=mnist", "data.path=" + data.path().string(), "network.channels=4", "network.cells_per_stage=0",
           "train.epochs=2", "train.batch_size=16", "train.steps_per_epoch=3", "run.threads=1"}) {
    train.insert(train.end(), {"--set", o});
  }
  const std::string printed = run_tool(launched(2, train), "", "", 300);
  EXPECT_NE(printed.find("trained 2 epochs"), std::string::npos) << printed;
  const ArchiveContents archive = read_archive_contents(runs.file("run") + "/run.h5");
  EXPECT_EQ(archive.tables.at("epochs").rows, 2u);
  // The test accuracy over all 40 test images (each rank tested 20): a multiple of 1/40.
  const double accuracy = archive.tables.at("epochs").numbers.at("test_accuracy").back();
  EXPECT_DOUBLE_EQ(accuracy * 40, std::round(accuracy * 40));
  try {
    run_tool(launched(3, train), "", "", 120);
    ADD_FAILURE() << "a batch of 16 was split over 3 ranks";
  } catch (const ToolError& e) {
    EXPECT_NE(std::string(e.what()).find("not a multiple of the 3 ranks"), std::string::npos) << e.what();
  }
}

// Two machines, as far as the ranks can tell: network namespaces joined by
// a veth pair, each with its own address and interface. Made and removed
// with iproute2; where that is not allowed (no root or CAP_NET_ADMIN),
// made() is false.
class TwoHosts {
 public:
  TwoHosts() : tag_(std::to_string(::getpid() % 100000)) {
    try {
      for (const std::string& host : {a(), b()}) ip({"netns", "add", host});
      // Made inside host a, so removing the namespaces removes the pair whatever fails later.
      ip({"-n", a(), "link", "add", link(a()), "type", "veth", "peer", "name", link(b())});
      ip({"-n", a(), "link", "set", link(b()), "netns", b()});
      for (const std::string& host : {a(), b()}) {
        ip({"-n", host, "addr", "add", address(host) + "/24", "dev", link(host)});
        ip({"-n", host, "link", "set", "lo", "up"});
        ip({"-n", host, "link", "set", link(host), "up"});
      }
      made_ = true;
    } catch (const std::exception& e) {
      why_ = e.what();
    }
  }
  ~TwoHosts() {
    for (const std::string& host : {a(), b()}) {
      try {
        ip({"netns", "del", host});
      } catch (const std::exception&) {
      }
    }
  }
  bool made() const { return made_; }
  const std::string& why_not() const { return why_; }
  std::string a() const { return "nas" + tag_ + "a"; }
  std::string b() const { return "nas" + tag_ + "b"; }
  std::string link(const std::string& host) const { return "v" + host.substr(3); }
  std::string address(const std::string& host) const { return host == a() ? "10.77.0.1" : "10.77.0.2"; }
  // `command` run on `host`, with Gloo on that host's link.
  std::vector<std::string> on(const std::string& host, std::vector<std::string> command) const {
    command.insert(command.begin(), {"ip", "netns", "exec", host, "env", "GLOO_SOCKET_IFNAME=" + link(host)});
    return command;
  }

 private:
  static void ip(std::vector<std::string> args) {
    args.insert(args.begin(), "ip");
    run_tool(args, "", "", 30);
  }
  std::string tag_, why_;
  bool made_ = false;
};

// nas_launch on each of two hosts with one rank each (--nodes 2): the
// ranks meet at host a's address, rank 0 writes the one archive, and the
// run resumes the same way.
// A suite of its own, so that ctest reports the skip (tests/gtest_suites.cmake).
TEST(DataParallelAcrossHosts, TwoHostsRunOneSearchThroughTheStoreOnTheFirst) {
  const TwoHosts hosts;
  if (!hosts.made()) GTEST_SKIP() << "no network namespaces here: " << hosts.why_not();
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  const std::string dir = runs.file("run");
  const auto node = [&](int rank, std::vector<std::string> program) {
    program.insert(program.begin(), {NAS_LAUNCH_BINARY, "-n", "1", "--nodes", "2", "--node-rank", std::to_string(rank),
                                     "--master-addr", hosts.address(hosts.a()), "--master-port", "29517", "--"});
    return hosts.on(rank == 0 ? hosts.a() : hosts.b(), program);
  };
  const auto both = [&](const std::vector<std::string>& program) {
    std::string second_error;
    std::thread second([&] {
      try {
        run_tool(node(1, program), "", "", 300);
      } catch (const std::exception& e) {
        second_error = e.what();
      }
    });
    std::string printed, first_error;
    try {
      printed = run_tool(node(0, program), "", "", 300);
    } catch (const std::exception& e) {
      first_error = e.what();
    }
    second.join();  // before any failure leaves the test, so the thread is never left running
    EXPECT_EQ(first_error, "");
    EXPECT_EQ(second_error, "");
    return printed;
  };
  both(tiny_search(data.path().string(), dir, 1));
  const std::string log = read_whole_file(dir + "/log.txt");
  EXPECT_EQ(lines_with(log, "data-parallel over 2 ranks"), 1u) << log;
  EXPECT_EQ(read_archive_contents(dir + "/run.h5").tables.at("archs").rows, 3u + 6u + 2u);
  both({NAS_SEARCH_BINARY, "--resume", dir, "--set", "search.epochs=2"});
  EXPECT_EQ(read_archive_contents(dir + "/run.h5").tables.at("training").rows, 6u);
}

// A rank killed in the middle of a search makes the other stop with a
// message naming what happened, instead of hanging.
TEST(DataParallel, AKilledRankStopsTheOtherWithAMessage) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 300, true);
  const std::string dir = runs.file("run");
  const int port = free_tcp_port();
  std::vector<pid_t> ranks;
  for (int rank = 0; rank < 2; ++rank) {
    std::vector<std::string> env = {"RANK=" + std::to_string(rank), "WORLD_SIZE=2", "MASTER_ADDR=127.0.0.1",
                                    "MASTER_PORT=" + std::to_string(port), "NAS_DIST_TIMEOUT=60"};
    for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
    std::vector<char*> envp, argv;
    for (std::string& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = tiny_search(data.path().string(), dir, 50);
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string err = runs.file("rank" + std::to_string(rank) + ".err");
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    ranks.push_back(pid);
  }
  // Once the search has written its first checkpoint (epoch 1), kill rank 1.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(dir + "/checkpoints/epoch-000001.h5") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(ranks[1], SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  int status = 0;
  while (::waitpid(ranks[0], &status, WNOHANG) == 0 &&
         std::chrono::steady_clock::now() < killed + std::chrono::seconds(60)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(ranks[0], SIGKILL);  // no effect when it stopped on its own
  ::waitpid(ranks[1], nullptr, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "rank 0 did not stop on its own within 60 s of rank 1's death";
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const std::string message = read_whole_file(runs.file("rank0.err"));
  EXPECT_NE(message.find("another rank died"), std::string::npos) << message;
  EXPECT_FALSE(list_checkpoints(dir + "/checkpoints").empty());  // what rank 0 wrote before stays
}

}  // namespace
}  // namespace experiments
