#include "experiments/distributed/world.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "experiments/config/experiment_config.h"
#include "experiments/distributed/launcher.h"
#include "experiments/harness/external_command.h"
#include "experiments/harness/run_setup.h"
#include "tests/experiments/data/data_files.h"
#include "tests/experiments/distributed/ranks.h"

namespace experiments {
namespace {

TEST(World, WithoutLaunchVariablesIsRankZeroOfOneAndCollectivesReturnTheirInput) {
  ::unsetenv("WORLD_SIZE");
  const World world = World::from_environment(1.0);
  EXPECT_EQ(world.rank(), 0);
  EXPECT_EQ(world.size(), 1);
  EXPECT_TRUE(world.writes());
  std::vector<torch::Tensor> tensors = {torch::full({2, 3}, 2.0)};
  world.all_reduce(tensors, true);
  EXPECT_TRUE(torch::equal(tensors[0], torch::full({2, 3}, 2.0)));
  EXPECT_EQ(world.all_gather(std::vector<double>{1.0, 2.0}), (std::vector<std::vector<double>>{{1.0, 2.0}}));
  EXPECT_EQ(world.all_gather(std::string("text")), (std::vector<std::string>{"text"}));
  world.check_agreement(42, "anything");
}

TEST(World, MalformedLaunchVariablesAreRefusedByName) {
  const auto refusal = [](const char* rank, const char* address) -> std::string {
    ::setenv("WORLD_SIZE", "2", 1);
    ::setenv("RANK", rank, 1);
    if (address)
      ::setenv("MASTER_ADDR", address, 1);
    else
      ::unsetenv("MASTER_ADDR");
    ::setenv("MASTER_PORT", "29999", 1);
    std::string message = "not refused";
    try {
      World::from_environment(1.0);
    } catch (const LaunchError& e) {
      message = e.what();
    }
    for (const char* name : {"WORLD_SIZE", "RANK", "MASTER_ADDR", "MASTER_PORT"}) ::unsetenv(name);
    return message;
  };
  EXPECT_EQ(refusal("2", "127.0.0.1"), "launch variable RANK='2': a whole number in [0, 1] expected");
  EXPECT_EQ(refusal("x", "127.0.0.1"), "launch variable RANK='x': a whole number in [0, 1] expected");
  EXPECT_EQ(refusal("0", nullptr), "launch variable MASTER_ADDR is not set (the address of rank 0's TCP store)");
}

// Two ranks on loopback: sums and means of float32 and float64 tensors,
// gathers of different lengths, broadcasts, and agreement checks.
TEST(World, TwoRanksReduceGatherBroadcastAndCheckAgreement) {
  const std::vector<int> codes = testing::run_ranks(2, [](int rank) {
    const World world = World::from_environment(20.0);
    if (world.rank() != rank || world.size() != 2 || world.writes() != (rank == 0)) return 1;
    std::vector<torch::Tensor> tensors = {torch::full({2, 2}, double(rank + 1), torch::kFloat32), torch::Tensor(),
                                          torch::full({3}, double(10 * (rank + 1)), torch::kFloat64)};
    world.all_reduce(tensors, false);
    if (!torch::equal(tensors[0], torch::full({2, 2}, 3.0, torch::kFloat32))) return 2;
    if (!torch::equal(tensors[2], torch::full({3}, 30.0, torch::kFloat64))) return 3;
    std::vector<torch::Tensor> mean = {torch::full({1}, double(rank), torch::kFloat64)};
    world.all_reduce(mean, true);
    if (mean[0].item<double>() != 0.5) return 4;
    const auto gathered = world.all_gather(std::vector<double>(static_cast<std::size_t>(rank + 1), rank + 0.25));
    if (gathered != std::vector<std::vector<double>>{{0.25}, {1.25, 1.25}}) return 5;
    // Texts of any bytes and lengths, an empty one among them.
    const std::string text = rank == 0 ? std::string() : std::string("a\0b=\xff", 5);
    if (world.all_gather(text) != std::vector<std::string>{"", std::string("a\0b=\xff", 5)}) return 9;
    std::vector<double> values = {double(rank), 7.0};
    world.broadcast(values, 1);
    if (values != std::vector<double>{1.0, 7.0}) return 6;
    world.check_agreement(0x123456789abcdefULL, "the same value");
    try {
      world.check_agreement(rank == 0 ? 1 : 2, "the architecture of step 3");
      return 7;
    } catch (const DistributedError& e) {
      if (std::string(e.what()).find("ranks disagree on the architecture of step 3") == std::string::npos) return 8;
    }
    world.barrier("the end");
    return 0;
  });
  EXPECT_EQ(codes, (std::vector<int>{0, 0}));
}

// A patient gather outlasts a rank that is slow on purpose (uneven
// candidate evaluation), where the world's timeout gives up.
TEST(World, APatientGatherOutlastsTheWorldsTimeout) {
  const std::vector<int> codes = testing::run_ranks(2, [](int rank) {
    // Meeting may take longer than the 1 s collectives on a loaded machine.
    const World world = World::from_environment(1.0, /*meet_timeout_seconds=*/30.0);
    if (rank == 1) std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    const std::vector<std::string> texts = world.all_gather(std::to_string(rank), /*patient=*/true);
    if (texts != std::vector<std::string>{"0", "1"}) return 1;
    if (rank == 1) std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    try {
      world.all_gather(std::string("late"));
      return rank == 0 ? 2 : 0;  // rank 0 should have given up after 1 s
    } catch (const DistributedError&) {
      return rank == 0 ? 0 : 3;
    }
  });
  EXPECT_EQ(codes[0], 0);
}

// A rank that dies makes the other's next collective fail at once with a
// message, instead of a hang.
TEST(World, ARankThatDiesStopsTheOtherWithAMessage) {
  testing::TempDir dir;
  const std::string message_file = dir.file("message");
  const auto start = std::chrono::steady_clock::now();
  const std::vector<int> codes = testing::run_ranks(2, [&](int rank) {
    const World world = World::from_environment(20.0);
    world.barrier("start");
    if (rank == 1) ::_exit(5);  // killed, as far as rank 0 can tell
    std::vector<torch::Tensor> tensors = {torch::ones({4})};
    try {
      world.all_reduce(tensors, false);
      return 1;
    } catch (const DistributedError& e) {
      std::ofstream(message_file) << e.what();
      return 0;
    }
  });
  EXPECT_EQ(codes, (std::vector<int>{0, 5}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));  // not the 20 s timeout
  const std::string message = read_whole_file(message_file);
  EXPECT_NE(message.find("rank 0 of 2: all-reduce of 4 values failed: another rank died"), std::string::npos)
      << message;
  EXPECT_NE(message.find("resumes with the same world size"), std::string::npos) << message;
}

// A rank whose partners never come gives up at the meeting timeout, with
// one line that names the address and no c10 backtrace.
TEST(World, ARankLeftAloneGivesUpAtTheMeetingTimeoutWithoutABacktrace) {
  testing::TempDir dir;
  const std::string message_file = dir.file("message");
  const auto start = std::chrono::steady_clock::now();
  const std::vector<int> codes = testing::run_ranks(1, [&](int) {
    ::setenv("WORLD_SIZE", "2", 1);  // rank 1 never starts
    try {
      World::from_environment(60.0, /*meet_timeout_seconds=*/0.5);
      return 1;
    } catch (const DistributedError& e) {
      std::ofstream(message_file) << e.what();
      return 0;
    }
  });
  EXPECT_EQ(codes, std::vector<int>{0});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));  // not the 60 s timeout
  const std::string message = read_whole_file(message_file);
  EXPECT_NE(message.find("rank 0 of 2: the ranks did not meet at 127.0.0.1:"), std::string::npos) << message;
  EXPECT_NE(message.find(" within 0.5 s ("), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.find("frame #"), std::string::npos) << message;
}

// A rank that hangs is given up on at the timeout.
TEST(World, ARankThatHangsIsGivenUpOnAtTheTimeout) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<int> codes = testing::run_ranks(2, [](int rank) {
    const World world = World::from_environment(2.0, /*meet_timeout_seconds=*/30.0);
    if (rank == 1) {
      std::this_thread::sleep_for(std::chrono::seconds(4));  // past the 2 s timeout
      return 0;
    }
    try {
      world.barrier("a step");
      return 1;
    } catch (const DistributedError&) {
      return 0;
    }
  });
  EXPECT_EQ(codes, (std::vector<int>{0, 0}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

struct Launch {
  int code = 0;
  std::string out, err;
};

Launch nas_launch(std::vector<std::string> args) {
  args.insert(args.begin(), "nas_launch");
  std::ostringstream out, err;
  const int code = run_launcher(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(Launcher, StartsRanksWithTorchrunsVariables) {
  testing::TempDir dir;
  const Launch launch = nas_launch(
      {"-n", "2", "--log-dir", dir.path().string(), "--", "sh", "-c",
       "echo $RANK $WORLD_SIZE $LOCAL_RANK $MASTER_ADDR $MASTER_PORT > " + dir.path().string() + "/seen-$RANK"});
  ASSERT_EQ(launch.code, 0) << launch.err;
  for (int rank = 0; rank < 2; ++rank) {
    std::istringstream seen(read_whole_file(dir.file("seen-" + std::to_string(rank))));
    int r = -1, size = 0, local = -1, port = 0;
    std::string address;
    seen >> r >> size >> local >> address >> port;
    EXPECT_EQ(r, rank);
    EXPECT_EQ(size, 2);
    EXPECT_EQ(local, rank);
    EXPECT_EQ(address, "127.0.0.1");
    EXPECT_GT(port, 0);
  }
}

TEST(Launcher, AFailingRankFailsTheLaunchAndTheOthersAreStoppedAfterTheGrace) {
  const auto start = std::chrono::steady_clock::now();
  const Launch launch =
      nas_launch({"-n", "2", "--grace", "0.5", "--", "sh", "-c", "if [ $RANK = 1 ]; then exit 3; fi; exec sleep 60"});
  EXPECT_EQ(launch.code, 3);
  EXPECT_NE(launch.err.find("rank 1 exited with 3"), std::string::npos) << launch.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_EQ(nas_launch({"-n", "2", "--nodes", "2", "--", "true"}).code, 2);  // no --master-port for two machines
}

TEST(Launcher, AProgramWithoutTheDashesBeforeItIsRefusedWithTheForm) {
  const Launch launch = nas_launch({"-n", "2", "nas_search", "--run-dir", "x"});
  EXPECT_EQ(launch.code, 2);
  EXPECT_EQ(launch.err,
            "nas_launch: no program: put -- before the program and its arguments (nas_launch -n 2 -- PROGRAM "
            "ARGS...)\n");
  EXPECT_EQ(nas_launch({"--help"}).code, 0);
}

// Under a launcher every rank reports its own failure; the ranks other
// than 0 say which they are, each in one whole line.
TEST(Launcher, AnErrorLineOfARankOtherThanZeroNamesTheRank) {
  const auto reported = [](const char* rank) {
    ::setenv("WORLD_SIZE", "2", 1);
    ::setenv("RANK", rank, 1);
    std::ostringstream err;
    const int code = run_reporting_errors("nas_search", err, []() -> int { throw ConfigError("[child] bad"); });
    ::unsetenv("WORLD_SIZE");
    ::unsetenv("RANK");
    return std::to_string(code) + " " + err.str();
  };
  EXPECT_EQ(reported("1"), "2 nas_search (rank 1 of 2): [child] bad\n");
  EXPECT_EQ(reported("0"), "2 nas_search: [child] bad\n");
}

}  // namespace
}  // namespace experiments
