// PNAS surrogate benchmarks: scoring 500,000 five-block cells with the
// paper's ensemble (5 LSTM predictors, hidden 100, embeddings 100), batched
// (the hot loop of a stage with K = 256, B = 5), and one training epoch of
// the ensemble on 1,000 cells.

#include <benchmark/benchmark.h>

#include "controllers/pnas_surrogate.h"
#include "experiments/benchmarks/benchmark_main.h"
#include "spaces/registry.h"

namespace experiments::benchmarks {
namespace {

torch::Tensor random_cells(std::int64_t count, std::uint64_t seed) {
  const spaces::SpacePtr space = spaces::make_space("pnas(blocks=5)");
  spaces::Rng rng(seed);
  torch::Tensor cells = torch::empty({count, static_cast<std::int64_t>(space->num_tokens())}, torch::kLong);
  auto* out = cells.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < count; ++i) {
    const spaces::Arch arch = space->random(rng);
    std::copy(arch.tokens.begin(), arch.tokens.end(), out + i * cells.size(1));
  }
  return cells;
}

void BM_ScoreHalfAMillionCells(benchmark::State& state) {
  const torch::Tensor cells = random_cells(500'000, 1);
  const controllers::SurrogateEnsemble ensemble(controllers::CellVocabulary{5, 8}, controllers::SurrogateOptions(), 0);
  for (auto _ : state) benchmark::DoNotOptimize(ensemble.predict(cells, state.range(0)));
  state.SetItemsProcessed(state.iterations() * cells.size(0));
}
BENCHMARK(BM_ScoreHalfAMillionCells)->Arg(8192)->Unit(benchmark::kSecond)->Iterations(1);

void BM_TrainOneEpochOnAThousandCells(benchmark::State& state) {
  const torch::Tensor cells = random_cells(1000, 2);
  std::vector<std::vector<std::int64_t>> rows;
  std::vector<double> accuracy;
  for (std::int64_t i = 0; i < cells.size(0); ++i) {
    const torch::Tensor row = cells[i];
    rows.emplace_back(row.data_ptr<std::int64_t>(), row.data_ptr<std::int64_t>() + row.numel());
    accuracy.push_back(0.5 + 0.4 * double(i % 7) / 7.0);
  }
  controllers::SurrogateEnsemble ensemble(controllers::CellVocabulary{5, 8}, controllers::SurrogateOptions(), 0);
  for (auto _ : state) benchmark::DoNotOptimize(ensemble.fit(rows, accuracy, 1));
}
BENCHMARK(BM_TrainOneEpochOnAThousandCells)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
}  // namespace experiments::benchmarks

int main(int argc, char** argv) { return experiments::benchmarks::run_benchmarks(argc, argv); }
