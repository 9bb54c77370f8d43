// DARTS search-step benchmarks, on the configuration the Python peer
// (../shared/peers/darts_peer_bench.py, quark0/darts cnn/ unmodified) times:
// a 1x28x28 input, batch 64, a supernet of 8 cells (reductions at 2 and 5)
// with 16 initial channels and 4 nodes, DARTS's optimizers. One step is
// what train_search.py does per minibatch: an architecture step on a
// validation batch (first order, or the unrolled second order), then a
// weight step (SGD, clip 5) on a training batch.
//   BM_DartsSearchStepFirstOrder, BM_DartsSearchStepSecondOrder: the step;
//   BM_SupernetForward, BM_SupernetForwardBackward: its parts.
// `darts_benchmark --profile` prints where a first-order step's time goes
// (libtorch's profiler, by operator, at batch 32).

#include <benchmark/benchmark.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <map>

#include <chrono>
#include "childnets/architecture_gradient.h"
#include "childnets/memory_estimate.h"
#include "childnets/supernet.h"
#include "childnets/training.h"
#include "controllers/darts_controller.h"
#include "experiments/benchmarks/benchmark_main.h"
#include "spaces/registry.h"

namespace experiments::benchmarks {
namespace {

struct DartsFixture {
  explicit DartsFixture(int order)
      : controller(space, controllers::DartsOptions().order(order), 2),
        store(childnets::make_supernet_store(space, options(), controller.candidate_ops())),
        network(childnets::make_supernet(space, options(), controller.candidate_ops(), store)),
        sgd(childnets::make_sgd(store->parameters(),
                                childnets::SgdOptions().lr(0.025).momentum(0.9).nesterov(false).weight_decay(3e-4))) {}

  static childnets::NetworkOptions options() {
    return childnets::NetworkOptions().input_channels(1).image_size(28).num_classes(10).channels(16).cells_per_stage(2);
  }

  // train_search.py's step: architect.step(), then the weight step.
  void step() {
    const auto weights = [this] { return controller.edge_weights(); };
    const auto parameters = controller.architecture_parameters();
    const childnets::ArchitectureGradient gradient =
        controller.gradient_order() == 1
            ? childnets::first_order_gradient(*network, weights, parameters, valid_images, valid_labels)
            : childnets::second_order_gradient(*network, weights, parameters, images, labels, valid_images,
                                               valid_labels, childnets::VirtualStep{0.025, 0.9, 3e-4, sgd.get()});
    controller.architecture_step(gradient.gradients, gradient.validation_loss);
    childnets::mixed_train_step(*network, *sgd, images, labels, controller.edge_weights(),
                                childnets::StepOptions().grad_clip(5.0));
  }

  spaces::SpacePtr space = spaces::make_space("darts");
  controllers::DartsController controller;
  childnets::ParameterStore store;
  childnets::ChildNetwork network;
  std::unique_ptr<torch::optim::SGD> sgd;
  torch::Tensor images = torch::randn({64, 1, 28, 28}), labels = torch::randint(0, 10, {64});
  torch::Tensor valid_images = torch::randn({64, 1, 28, 28}), valid_labels = torch::randint(0, 10, {64});
};

void BM_DartsSearchStep(benchmark::State& state, int order) {
  torch::manual_seed(0);
  DartsFixture f(order);
  f.step();  // the first step allocates the momentum buffers
  for (auto _ : state) f.step();
  state.counters["supernet_parameters"] = double(f.store->num_parameters());
}
BENCHMARK_CAPTURE(BM_DartsSearchStep, FirstOrder, 1)
    ->Name("BM_DartsSearchStepFirstOrder")
    ->Unit(benchmark::kSecond)
    ->MinTime(10.0);
BENCHMARK_CAPTURE(BM_DartsSearchStep, SecondOrder, 2)
    ->Name("BM_DartsSearchStepSecondOrder")
    ->Unit(benchmark::kSecond)
    ->Iterations(3);

void BM_SupernetForward(benchmark::State& state) {
  torch::manual_seed(0);
  DartsFixture f(1);
  f.network->train();
  for (auto _ : state) {
    torch::NoGradGuard no_grad;
    benchmark::DoNotOptimize(f.network->forward_mixed(f.images, f.controller.edge_weights()).logits);
  }
}
BENCHMARK(BM_SupernetForward)->Unit(benchmark::kMillisecond)->MinTime(5.0);

void BM_SupernetForwardBackward(benchmark::State& state) {
  torch::manual_seed(0);
  DartsFixture f(1);
  f.network->train();
  for (auto _ : state) {
    childnets::zero_grad_set_to_none(*f.store);
    childnets::classification_loss(f.network->forward_mixed(f.images, f.controller.edge_weights()).logits, f.labels)
        .backward();
  }
}
BENCHMARK(BM_SupernetForwardBackward)->Unit(benchmark::kMillisecond)->MinTime(5.0);

// Self time per operator over a few first-order steps, largest first.
void print_profile(int steps) {
  using namespace torch::autograd::profiler;
  torch::manual_seed(0);
  DartsFixture f(1);
  // The profiler keeps every event's tensors' shapes: batch 32 keeps it within memory.
  f.images = f.images.narrow(0, 0, 32);
  f.labels = f.labels.narrow(0, 0, 32);
  f.valid_images = f.valid_images.narrow(0, 0, 32);
  f.valid_labels = f.valid_labels.narrow(0, 0, 32);
  f.step();
  thread_event_lists events;
  {
    TLSLegacyProfilerGuard guard(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU),
                                 [&](const thread_event_lists& result) { events = result; });
    for (int i = 0; i < steps; ++i) f.step();
  }
  std::map<std::string, double> self_ms;
  std::map<std::string, int> calls;
  for (const auto& thread : events) {
    struct Open {
      const LegacyEvent* event;
      double children_ms;
    };
    std::vector<Open> stack;
    for (const LegacyEvent& event : thread) {
      if (event.kindStr() == "push") {
        stack.push_back({&event, 0.0});
      } else if (event.kindStr() == "pop" && !stack.empty()) {
        const Open open = stack.back();
        stack.pop_back();
        const double ms = open.event->cpuElapsedUs(event) / 1000.0;
        self_ms[open.event->name()] += ms - open.children_ms;
        ++calls[open.event->name()];
        if (!stack.empty()) stack.back().children_ms += ms;
      }
    }
  }
  std::vector<std::pair<double, std::string>> sorted;
  double total = 0;
  for (const auto& [name, ms] : self_ms) {
    sorted.emplace_back(ms, name);
    total += ms;
  }
  std::sort(sorted.rbegin(), sorted.rend());
  std::cout << "self time per first-order step at batch 32, by operator (profiled, " << steps << " steps; total "
            << total / steps << " ms):\n";
  for (std::size_t i = 0; i < std::min<std::size_t>(sorted.size(), 30); ++i) {
    std::cout << "  " << sorted[i].second << ": " << sorted[i].first / steps << " ms, "
              << calls[sorted[i].second] / steps << " calls\n";
  }
}

}  // namespace
}  // namespace experiments::benchmarks

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--profile") == 0) {
      experiments::keep_freed_memory();
      torch::set_num_threads(2);
      experiments::benchmarks::print_profile(2);
      return 0;
    }
  }
  return experiments::benchmarks::run_benchmarks(argc, argv);
}
