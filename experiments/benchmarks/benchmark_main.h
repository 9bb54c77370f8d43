#pragma once
// The main of a benchmark binary: the allocator settings the experiment
// binaries use, two intra-op threads (the target machine has two cores),
// then Google Benchmark's own command line and run.

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "experiments/harness/allocator.h"

namespace experiments::benchmarks {

inline int run_benchmarks(int argc, char** argv) {
  keep_freed_memory();
  torch::set_num_threads(2);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace experiments::benchmarks
