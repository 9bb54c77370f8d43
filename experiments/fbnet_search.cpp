// fbnet_search: FBNet's differentiable, latency-aware search (controller "fbnet" over the fbnet space); without
// --config it runs experiments/configs/fashion_mnist_fbnet.toml (built in). See experiments/search/search_cli.h.
#include <iostream>

#include "experiments/harness/allocator.h"
#include "experiments/search/search_cli.h"

int main(int argc, char** argv) {
  experiments::keep_freed_memory();
  return experiments::run_search_cli(std::vector<std::string>(argv, argv + argc), "fbnet", std::cout, std::cerr,
                                     "fashion_mnist_fbnet.toml");
}
