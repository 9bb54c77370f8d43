// NAO benchmarks, at the NAO-WS model's sizes (embedding 48, LSTM hidden
// 96, a 3-layer predictor of 100) over nao(nodes=5), 40 tokens:
// - one training epoch of the encoder-predictor-decoder on 1,000
//   architectures at batch 100 (target: at most 5 s on 2 cores);
// - generation of 500 new architectures from the top 100 (gradient steps
//   in embedding space, masked greedy decoding; target: at most 10 s).
#include <benchmark/benchmark.h>

#include <unordered_set>

#include "controllers/nao_controller.h"
#include "experiments/benchmarks/benchmark_main.h"
#include "spaces/registry.h"

namespace experiments::benchmarks {
namespace {

struct Pool {
  spaces::SpacePtr space = spaces::make_space("nao(nodes=5)");
  std::vector<spaces::Arch> archs;
  std::vector<double> scores;

  explicit Pool(std::size_t size) {
    spaces::Rng rng(1);
    std::unordered_set<std::uint64_t> seen;
    while (archs.size() < size) {
      spaces::Arch arch = space->random(rng);
      if (!seen.insert(space->canonical_hash(arch)).second) continue;
      double ops = 0;
      for (std::size_t k = 1; k < arch.tokens.size(); k += 2) ops += arch.tokens[k] <= 1 ? 1 : 0;
      scores.push_back(ops / 20.0);
      archs.push_back(std::move(arch));
    }
  }
};

void BM_NaoTrainOneEpochOnAThousandArchitectures(benchmark::State& state) {
  const Pool pool(1000);
  controllers::NaoController controller(pool.space, controllers::NaoOptions().seed_archs(2).batch_size(100), 0);
  for (auto _ : state) benchmark::DoNotOptimize(controller.train(pool.archs, pool.scores, 1));
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_NaoTrainOneEpochOnAThousandArchitectures)->Unit(benchmark::kMillisecond)->MinTime(3.0);

void BM_NaoGenerateFiveHundredFromTheTopHundred(benchmark::State& state) {
  const Pool pool(1000);
  controllers::NaoController controller(pool.space, controllers::NaoOptions().seed_archs(2).batch_size(100), 0);
  controller.train(pool.archs, pool.scores, 20);  // a model with a gradient worth following
  const std::vector<spaces::Arch> parents(pool.archs.begin(), pool.archs.begin() + 100);
  std::int64_t made = 0;
  for (auto _ : state) {
    std::unordered_set<std::uint64_t> exclude;
    for (const spaces::Arch& arch : pool.archs) exclude.insert(pool.space->canonical_hash(arch));
    const auto generated = controller.generate(parents, 500, exclude);
    made = static_cast<std::int64_t>(generated.size());
    state.counters["step_size_max"] = generated.empty() ? 0.0 : generated.back().step_size;
  }
  state.counters["generated"] = double(made);
  state.SetItemsProcessed(state.iterations() * made);
}
BENCHMARK(BM_NaoGenerateFiveHundredFromTheTopHundred)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace experiments::benchmarks

int main(int argc, char** argv) { return experiments::benchmarks::run_benchmarks(argc, argv); }
