// darts_search: the DARTS differentiable search (controller "darts" over the darts space); without --config it runs
// experiments/configs/fashion_mnist_darts.toml (built in). See experiments/search/search_cli.h.
#include <iostream>

#include "experiments/harness/allocator.h"
#include "experiments/search/search_cli.h"

int main(int argc, char** argv) {
  experiments::keep_freed_memory();
  return experiments::run_search_cli(std::vector<std::string>(argv, argv + argc), "darts", std::cout, std::cerr,
                                     "fashion_mnist_darts.toml");
}
