// Controller and search benchmarks on the reference configuration
// (reference_config.h): ENAS sampling of one architecture and of 64 in a
// batch, one controller update over 10 architectures, and a reduced search
// epoch of 50 child steps plus 20 controller steps (each samples, scores on
// one validation minibatch of 128 and updates).

#include <benchmark/benchmark.h>

#include "experiments/benchmarks/benchmark_main.h"

#include "childnets/child_network.h"
#include "childnets/training.h"
#include "controllers/enas_controller.h"
#include "experiments/benchmarks/busy_neighbour.h"
#include "experiments/benchmarks/reference_config.h"

namespace experiments::benchmarks {
namespace {

// Arg 0: a quiet machine; arg 1: beside two processes spinning at nice 19
// (a compile at low priority, as issue 13 met it); arg 2: beside two at
// our priority (another rank on the machine). A search beside other work
// should slow in proportion to the cores it loses, not by an order of
// magnitude.
void BM_EnasSampleOne(benchmark::State& state) {
  controllers::EnasController controller(spaces::make_space(kReferenceSpace), controllers::EnasOptions(), 1);
  const BusyNeighbour neighbour = BusyNeighbour::for_arg(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(controller.sample(1));
}
BENCHMARK(BM_EnasSampleOne)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_EnasSampleBatch64(benchmark::State& state) {
  controllers::EnasController controller(spaces::make_space(kReferenceSpace), controllers::EnasOptions(), 1);
  const BusyNeighbour neighbour = BusyNeighbour::for_arg(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(controller.sample(64));
}
BENCHMARK(BM_EnasSampleBatch64)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_EnasUpdateOver10(benchmark::State& state) {
  controllers::EnasController controller(spaces::make_space(kReferenceSpace), controllers::EnasOptions(), 1);
  for (auto _ : state) {
    const auto proposals = controller.propose(10);  // the update needs its sampling graph
    std::vector<controllers::Feedback> feedback;
    for (const auto& p : proposals) feedback.push_back({p.id, 0.5});
    benchmark::DoNotOptimize(controller.observe(feedback));
  }
}
BENCHMARK(BM_EnasUpdateOver10)->Unit(benchmark::kMillisecond);

void BM_ReducedSearchEpoch(benchmark::State& state) {
  const spaces::SpacePtr space = spaces::make_space(kReferenceSpace);
  controllers::EnasController controller(space, controllers::EnasOptions(), 1);
  childnets::ParameterStore store = childnets::make_shared_store(space, reference_network());
  childnets::ChildNetwork network(space, reference_network(), store);
  auto sgd = childnets::make_sgd(store->parameters(), reference_sgd());
  const torch::Tensor images = torch::randn({kTrainBatch, 1, 28, 28});
  const torch::Tensor labels = torch::randint(0, 10, {kTrainBatch});
  const torch::Tensor valid_images = torch::randn({kValidationBatch, 1, 28, 28});
  const torch::Tensor valid_labels = torch::randint(0, 10, {kValidationBatch});
  for (auto _ : state) {
    for (int step = 0; step < 50; ++step) {
      childnets::train_step(*network, *sgd, images, labels, space->decode(controller.sample(1).front()),
                            childnets::StepOptions());
    }
    for (int step = 0; step < 20; ++step) {
      const auto proposal = controller.propose(1).front();
      const double reward =
          childnets::evaluate(*network, valid_images, valid_labels, space->decode(proposal.arch), true).accuracy();
      controller.observe({{proposal.id, reward}});
    }
  }
}
BENCHMARK(BM_ReducedSearchEpoch)->Unit(benchmark::kSecond)->Iterations(2);

}  // namespace
}  // namespace experiments::benchmarks

int main(int argc, char** argv) { return experiments::benchmarks::run_benchmarks(argc, argv); }
