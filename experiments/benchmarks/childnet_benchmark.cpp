// Child-network benchmarks on the reference configuration (reference_config.h):
// a shared-weight training step on a freshly sampled architecture and on the
// fixed one, an inference-mode validation step at batch 128, the pieces of a
// step (forward, backward, optimizer), and the store's size.

#include <benchmark/benchmark.h>

#include "childnets/child_network.h"
#include "childnets/training.h"
#include "experiments/benchmarks/reference_config.h"

namespace experiments::benchmarks {
namespace {

struct Fixture {
  spaces::SpacePtr space = spaces::make_space(kReferenceSpace);
  childnets::ParameterStore store = childnets::make_shared_store(space, reference_network());
  childnets::ChildNetwork network{space, reference_network(), store};
  std::unique_ptr<torch::optim::SGD> sgd = childnets::make_sgd(store->parameters(), reference_sgd());
  torch::Tensor images = torch::randn({kTrainBatch, 1, 28, 28});
  torch::Tensor labels = torch::randint(0, 10, {kTrainBatch});
  spaces::Rng rng{42};
  childnets::StepOptions step = childnets::StepOptions().grad_clip(5.0);

  Fixture() { torch::manual_seed(0); }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_TrainStepSampledArch(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    const spaces::ArchGraph graph = f.space->decode(f.space->random(f.rng));
    benchmark::DoNotOptimize(childnets::train_step(*f.network, *f.sgd, f.images, f.labels, graph, f.step));
  }
}
BENCHMARK(BM_TrainStepSampledArch)->Unit(benchmark::kMillisecond)->MinTime(5.0);

void BM_TrainStepFixedArch(benchmark::State& state) {
  Fixture& f = fixture();
  const spaces::ArchGraph graph = f.space->decode(reference_arch(*f.space));
  for (auto _ : state) {
    benchmark::DoNotOptimize(childnets::train_step(*f.network, *f.sgd, f.images, f.labels, graph, f.step));
  }
}
BENCHMARK(BM_TrainStepFixedArch)->Unit(benchmark::kMillisecond)->MinTime(5.0);

void BM_StepForwardOnly(benchmark::State& state) {
  Fixture& f = fixture();
  const spaces::ArchGraph graph = f.space->decode(reference_arch(*f.space));
  f.network->train();
  for (auto _ : state) {
    childnets::zero_grad_set_to_none(*f.store);
    benchmark::DoNotOptimize(f.network->forward(f.images, graph).logits);
  }
}
BENCHMARK(BM_StepForwardOnly)->Unit(benchmark::kMillisecond)->MinTime(3.0);

void BM_StepForwardBackward(benchmark::State& state) {
  Fixture& f = fixture();
  const spaces::ArchGraph graph = f.space->decode(reference_arch(*f.space));
  f.network->train();
  for (auto _ : state) {
    childnets::zero_grad_set_to_none(*f.store);
    torch::nn::functional::cross_entropy(f.network->forward(f.images, graph).logits, f.labels).backward();
  }
}
BENCHMARK(BM_StepForwardBackward)->Unit(benchmark::kMillisecond)->MinTime(3.0);

void BM_ValidationStepInference(benchmark::State& state) {
  Fixture& f = fixture();
  const spaces::ArchGraph graph = f.space->decode(reference_arch(*f.space));
  const torch::Tensor images = torch::randn({kValidationBatch, 1, 28, 28});
  const torch::Tensor labels = torch::randint(0, 10, {kValidationBatch});
  for (auto _ : state) benchmark::DoNotOptimize(childnets::evaluate(*f.network, images, labels, graph));
}
BENCHMARK(BM_ValidationStepInference)->Unit(benchmark::kMillisecond)->MinTime(3.0);

void BM_StoreSize(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(f.store->bytes());
  state.counters["store_bytes"] = static_cast<double>(f.store->bytes());
  state.counters["store_parameters"] = static_cast<double>(f.store->num_parameters());
  state.counters["store_modules"] = static_cast<double>(f.store->keys().size());
}
BENCHMARK(BM_StoreSize)->Iterations(1);

}  // namespace
}  // namespace experiments::benchmarks

int main(int argc, char** argv) {
  torch::set_num_threads(2);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
