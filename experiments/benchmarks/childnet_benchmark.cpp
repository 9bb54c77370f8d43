// Child-network benchmarks on the reference configuration (reference_config.h):
// a shared-weight training step on a freshly sampled architecture and on the
// fixed one, an inference-mode validation step at batch 128, the pieces of a
// step (forward, backward), the depthwise-convolution and pooling kernels
// against libtorch's, and the store's size. `childnet_benchmark
// --split` prints where a step's time goes instead.

#include <benchmark/benchmark.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <map>

#include "childnets/child_network.h"
#include "childnets/depthwise_conv.h"
#include "childnets/pooling.h"
#include "childnets/training.h"
#include "experiments/benchmarks/benchmark_main.h"
#include "experiments/benchmarks/busy_neighbour.h"
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

// Arg: the busy neighbour (busy_neighbour.h: 0 quiet, 1 nice 19, 2 same priority).
void BM_TrainStepFixedArch(benchmark::State& state) {
  Fixture& f = fixture();
  const spaces::ArchGraph graph = f.space->decode(reference_arch(*f.space));
  const BusyNeighbour neighbour = BusyNeighbour::for_arg(state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(childnets::train_step(*f.network, *f.sgd, f.images, f.labels, graph, f.step));
  }
}
BENCHMARK(BM_TrainStepFixedArch)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->MinTime(5.0);

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

// As the search scores rewards: batch statistics instead of running ones
// (BatchStatisticsScope), so batch norms cannot fold into convolutions.
void BM_ValidationStepBatchStatistics(benchmark::State& state) {
  Fixture& f = fixture();
  const spaces::ArchGraph graph = f.space->decode(reference_arch(*f.space));
  const torch::Tensor images = torch::randn({kValidationBatch, 1, 28, 28});
  const torch::Tensor labels = torch::randint(0, 10, {kValidationBatch});
  for (auto _ : state) benchmark::DoNotOptimize(childnets::evaluate(*f.network, images, labels, graph, true));
}
BENCHMARK(BM_ValidationStepBatchStatistics)->Unit(benchmark::kMillisecond)->MinTime(3.0);

// The depthwise convolution's backward (input and weight gradients) at the
// reference configuration's largest activation, 64x20x28x28, kernel
// state.range(0): ours (childnets::depthwise_conv2d) against libtorch's
// grouped convolution.
template <bool ours>
void BM_DepthwiseBackward(benchmark::State& state) {
  const std::int64_t k = state.range(0), channels = 20;
  const torch::Tensor x =
      torch::randn({kTrainBatch, channels, 28, 28}).contiguous(at::MemoryFormat::ChannelsLast).requires_grad_();
  const torch::Tensor weight = torch::randn({channels, 1, k, k}).requires_grad_();
  const torch::Tensor y =
      ours ? childnets::depthwise_conv2d(x, weight, 1, k / 2, 1) : torch::conv2d(x, weight, {}, 1, k / 2, 1, channels);
  const torch::Tensor upstream = torch::randn_like(y);
  for (auto _ : state) {
    // autograd::grad, not backward(): no accumulation into the leaves' .grad.
    benchmark::DoNotOptimize(torch::autograd::grad({y}, {x, weight}, {upstream}, /*retain_graph=*/true));
  }
}
BENCHMARK(BM_DepthwiseBackward<true>)->Name("BM_DepthwiseBackwardOurs")->Arg(3)->Arg(5)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DepthwiseBackward<false>)
    ->Name("BM_DepthwiseBackwardLibtorch")
    ->Arg(3)
    ->Arg(5)
    ->Unit(benchmark::kMillisecond);

// A 3x3 stride-1 pool's forward and backward at 64x20x28x28: ours
// (childnets/pooling.h) against libtorch's. state.range(0): 1 average, 0 max.
template <bool ours>
void BM_Pool(benchmark::State& state) {
  namespace F = torch::nn::functional;
  const bool average = state.range(0) == 1;
  const torch::Tensor x =
      torch::randn({kTrainBatch, 20, 28, 28}).contiguous(at::MemoryFormat::ChannelsLast).requires_grad_();
  auto pool = [&] {
    if (ours) return average ? childnets::same_avg_pool2d(x, 3) : childnets::same_max_pool2d(x, 3);
    if (average) return F::avg_pool2d(x, F::AvgPool2dFuncOptions(3).stride(1).padding(1).count_include_pad(false));
    return F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(1).padding(1));
  };
  const torch::Tensor upstream = torch::randn_like(x);
  for (auto _ : state) {
    const torch::Tensor y = pool();
    benchmark::DoNotOptimize(torch::autograd::grad({y}, {x}, {upstream}));
  }
  state.SetLabel(average ? "avg" : "max");
}
BENCHMARK(BM_Pool<true>)->Name("BM_PoolOurs")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Pool<false>)->Name("BM_PoolLibtorch")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_StoreSize(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(f.store->bytes());
  state.counters["store_bytes"] = static_cast<double>(f.store->bytes());
  state.counters["store_parameters"] = static_cast<double>(f.store->num_parameters());
  state.counters["store_modules"] = static_cast<double>(f.store->keys().size());
}
BENCHMARK(BM_StoreSize)->Iterations(1);

// Where the time of a fixed-architecture training step goes: libtorch's
// profiler events (ours are recorded under "nas::" names) grouped into
// convolutions, batch norm and the rest; the optimizer (gradient clipping
// and the SGD step) timed directly. Averages over `steps` steps.
void print_step_split(int steps) {
  using namespace torch::autograd::profiler;
  Fixture& f = fixture();
  const spaces::ArchGraph graph = f.space->decode(reference_arch(*f.space));
  for (int i = 0; i < 2; ++i) childnets::train_step(*f.network, *f.sgd, f.images, f.labels, graph, f.step);
  const std::map<std::string, std::string> category = {{"aten::mkldnn_convolution", "convolution forward"},
                                                       {"ConvolutionBackward0", "convolution backward"},
                                                       {"nas::depthwise_conv_backward", "convolution backward"},
                                                       {"nas::batch_norm_forward", "batch norm"},
                                                       {"nas::batch_norm_backward", "batch norm"},
                                                       {"aten::native_batch_norm", "batch norm"},
                                                       {"NativeBatchNormBackward0", "batch norm"}};
  std::map<std::string, double> ms;
  double total_ms = 0, optimizer_ms = 0;
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); };
  // The profiler's own cost per event inflates every part of a profiled
  // step several times, so the parts are reported as shares of it, applied
  // to the time of an unprofiled step (measured first).
  const auto unprofiled_start = Clock::now();
  for (int i = 0; i < steps; ++i) childnets::train_step(*f.network, *f.sgd, f.images, f.labels, graph, f.step);
  const double step_ms = since(unprofiled_start) / steps;
  thread_event_lists events;
  {
    TLSLegacyProfilerGuard guard(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU),
                                 [&](const thread_event_lists& result) { events = result; });
    for (int i = 0; i < steps; ++i) {
      const auto start = Clock::now();
      f.network->train();
      childnets::zero_grad_set_to_none(*f.store);
      torch::nn::functional::cross_entropy(f.network->forward(f.images, graph).logits, f.labels).backward();
      const auto optimizer_start = Clock::now();
      torch::nn::utils::clip_grad_norm_(f.store->parameters(), 5.0);
      f.sgd->step();
      optimizer_ms += since(optimizer_start);
      total_ms += since(start);
    }
  }
  for (const auto& thread : events) {
    std::vector<const LegacyEvent*> stack;
    int counted_depth = 0;  // open events that already count, so nested ones do not count twice
    std::vector<bool> counted;
    for (const LegacyEvent& event : thread) {
      if (event.kindStr() == "push") {
        stack.push_back(&event);
        const auto it = category.find(event.name());
        counted.push_back(it != category.end() && counted_depth == 0);
        if (counted.back()) ++counted_depth;
      } else if (event.kindStr() == "pop" && !stack.empty()) {
        if (counted.back()) {
          ms[category.at(stack.back()->name())] += stack.back()->cpuElapsedUs(event) / 1000.0;
          --counted_depth;
        }
        stack.pop_back();
        counted.pop_back();
      }
    }
  }
  ms["optimizer (clip + SGD step)"] = optimizer_ms;
  double accounted = 0;
  for (const auto& [name, value] : ms) accounted += value;
  ms["everything else (ReLU, sums, concat, pools, autograd, allocation)"] = total_ms - accounted;
  std::cout << "split of a fixed-architecture training step (batch " << kTrainBatch << "; shares from " << steps
            << " profiled steps of " << total_ms / steps << " ms, applied to an unprofiled step of " << step_ms
            << " ms):\n";
  for (const auto& [name, value] : ms) {
    const double share = value / total_ms;
    std::cout << "  " << name << ": " << 100.0 * share << "% ~ " << share * step_ms << " ms\n";
  }
}

}  // namespace
}  // namespace experiments::benchmarks

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--split") == 0) {
      torch::set_num_threads(2);
      experiments::benchmarks::print_step_split(5);
      return 0;
    }
  }
  return experiments::benchmarks::run_benchmarks(argc, argv);
}
