// Where a data-parallel step's time goes, measured on this machine with
// two ranks on loopback (this process, rank 0, and a forked peer, rank 1,
// one intra-op thread each): the all-reduce of a step's path gradients at
// the sizes a search sends, the agreement check of a step's architecture,
// the gather of an update's candidate metrics, and one rank's compute of a
// shared-weight training step at the batch share it trains on. The README's
// scaling section predicts 8 and 64 ranks from these parts.
//
// Run it bare (a peer is forked), or as the ranks of a launch on two
// hosts, e.g. two network namespaces joined by a rate-limited veth pair.
//
// Ranks must make the same collectives in the same order, while Google
// Benchmark picks iteration counts on rank 0 alone: before each run rank 0
// broadcasts what to do and how many times, and the peer follows.

#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "childnets/child_network.h"
#include "childnets/training.h"
#include "experiments/benchmarks/reference_config.h"
#include "experiments/distributed/launcher.h"
#include "experiments/distributed/world.h"
#include "experiments/harness/allocator.h"
#include "experiments/search/spread_evaluation.h"

namespace experiments::benchmarks {
namespace {

enum Command : int { kStop = 0, kAllReduce = 1, kAgreement = 2, kGather = 3, kAlone = 4 };

World& world() {
  static World w = World::from_environment(60.0);
  return w;
}

// One float32 buffer of `floats` values averaged over the ranks (a step's path gradients).
void all_reduce_once(std::vector<torch::Tensor>& gradients) { world().all_reduce(gradients, /*average=*/true); }

// An update's worth of candidate metrics (10 candidates, ENAS's
// archs_per_update) spread and gathered, with nothing measured.
void gather_once() {
  benchmark::DoNotOptimize(evaluate_spread(
      world(), 10, [](std::size_t i) { return std::uint64_t(i) * 7919; },
      [](std::size_t i) {
        return controllers::Metrics{{"accuracy", 0.5 + 1e-3 * double(i)},
                                    {"loss", 1.25},
                                    {"params", 123456.0},
                                    {"macs", 9.87e6},
                                    {"seconds", 0.31}};
      },
      [](std::size_t) {}));
}

// What the peer does for `command` with argument `argument`, `iterations` times.
void run_command(int command, std::int64_t argument, std::int64_t iterations) {
  std::vector<torch::Tensor> gradients = {torch::ones({argument})};
  for (std::int64_t i = 0; i < iterations; ++i) {
    if (command == kAllReduce) all_reduce_once(gradients);
    if (command == kAgreement) world().check_agreement(0x5eed5eedULL + std::uint64_t(i), "the step's architecture");
    if (command == kGather) gather_once();
  }
}

// Rank 0 tells the peer what the coming run does.
void announce(int command, std::int64_t argument, std::int64_t iterations) {
  std::vector<double> message = {double(command), double(argument), double(iterations)};
  world().broadcast(message);
}

void follow() {
  for (;;) {
    std::vector<double> message(3, 0.0);
    world().broadcast(message);
    const int command = static_cast<int>(message[0]);
    if (command == kStop) return;
    run_command(command, std::int64_t(message[1]), std::int64_t(message[2]));
  }
}

// Arg: float32 values; 342,000 is the mean path of the default ENAS search
// (1.37 MB), the others bracket smaller cells and a whole small store.
void BM_AllReduceGradients(benchmark::State& state) {
  const std::int64_t floats = state.range(0);
  announce(kAllReduce, floats, state.max_iterations);
  std::vector<torch::Tensor> gradients = {torch::ones({floats})};
  for (auto _ : state) all_reduce_once(gradients);
  state.SetBytesProcessed(state.iterations() * floats * 4);
}
BENCHMARK(BM_AllReduceGradients)
    ->Arg(16'000)
    ->Arg(342'000)
    ->Arg(1'500'000)
    ->Arg(6'000'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

void BM_AgreementCheck(benchmark::State& state) {
  announce(kAgreement, 0, state.max_iterations);
  std::int64_t i = 0;
  for (auto _ : state) world().check_agreement(0x5eed5eedULL + std::uint64_t(i++), "the step's architecture");
}
BENCHMARK(BM_AgreementCheck)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(1.0);

void BM_GatherUpdateMetrics(benchmark::State& state) {
  announce(kGather, 0, state.max_iterations);
  for (auto _ : state) gather_once();
}
BENCHMARK(BM_GatherUpdateMetrics)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(1.0);

// One rank's compute of a training step on a freshly sampled path of the
// reference configuration, at its share of the batch (Arg: images), with
// no collective: the peer idles.
void BM_TrainStepShare(benchmark::State& state) {
  announce(kAlone, 0, 0);
  static const spaces::SpacePtr space = spaces::make_space(kReferenceSpace);
  static childnets::ParameterStore store = childnets::make_shared_store(space, reference_network());
  static childnets::ChildNetwork network{space, reference_network(), store};
  static auto sgd = childnets::make_sgd(store->parameters(), reference_sgd());
  const torch::Tensor images = torch::randn({state.range(0), 1, 28, 28});
  const torch::Tensor labels = torch::randint(0, 10, {state.range(0)});
  spaces::Rng rng(42);
  for (auto _ : state) {
    const spaces::ArchGraph graph = space->decode(space->random(rng));
    benchmark::DoNotOptimize(childnets::train_step(*network, *sgd, images, labels, graph, childnets::StepOptions()));
  }
}
BENCHMARK(BM_TrainStepShare)->Arg(64)->Arg(32)->Arg(8)->Unit(benchmark::kMillisecond)->MinTime(3.0);

}  // namespace
}  // namespace experiments::benchmarks

int main(int argc, char** argv) {
  using namespace experiments;
  // Launched as ranks (nas_launch, torchrun, or by hand on two hosts or
  // network namespaces): rank 0 measures, the others follow. Otherwise a
  // peer is forked on loopback, before libtorch starts its thread pools.
  pid_t peer = -1;
  if (std::getenv("WORLD_SIZE") == nullptr) {
    const std::string port = std::to_string(free_tcp_port());
    ::setenv("WORLD_SIZE", "2", 1);
    ::setenv("MASTER_ADDR", "127.0.0.1", 1);
    ::setenv("MASTER_PORT", port.c_str(), 1);
    peer = ::fork();
    if (peer < 0) {
      std::perror("distributed_benchmark: fork");
      return 1;
    }
    ::setenv("RANK", peer == 0 ? "1" : "0", 1);
  }
  keep_freed_memory();
  torch::set_num_threads(1);  // one core per rank
  if (benchmarks::world().rank() != 0) {
    benchmarks::follow();
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  benchmarks::announce(benchmarks::kStop, 0, 0);
  int status = 0;
  if (peer > 0) ::waitpid(peer, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
