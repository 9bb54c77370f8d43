// pnas_search: the PNAS progressive search (controller "pnas" over a pnas space); without --config it runs
// experiments/configs/fashion_mnist_pnas.toml (built in). See experiments/search/search_cli.h.
#include <iostream>

#include "experiments/harness/allocator.h"
#include "experiments/search/search_cli.h"

int main(int argc, char** argv) {
  experiments::keep_freed_memory();
  return experiments::run_search_cli(std::vector<std::string>(argv, argv + argc), "pnas", std::cout, std::cerr,
                                     "fashion_mnist_pnas.toml");
}
