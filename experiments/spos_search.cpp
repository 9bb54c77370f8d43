// spos_search: Single Path One-Shot (controller "spos" over the spos space): supernet training on uniform paths,
// then an evolutionary search over it with batch-norm recalibration; without --config it runs
// experiments/configs/fashion_mnist_spos.toml (built in). See experiments/search/search_cli.h.
#include <iostream>

#include "experiments/harness/allocator.h"
#include "experiments/search/search_cli.h"

int main(int argc, char** argv) {
  experiments::keep_freed_memory();
  return experiments::run_search_cli(std::vector<std::string>(argv, argv + argc), "spos", std::cout, std::cerr,
                                     "fashion_mnist_spos.toml");
}
