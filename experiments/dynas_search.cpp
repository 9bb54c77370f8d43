// dynas_search: multi-objective search on the search core — DyNAS-T's LINAS (the built-in default,
// experiments/configs/fashion_mnist_dynas.toml: accuracy against multiply-accumulates over a SPOS
// supernet), or any other strategy its --config names. See experiments/search/search_cli.h.
#include <iostream>

#include "experiments/harness/allocator.h"
#include "experiments/search/search_cli.h"

int main(int argc, char** argv) {
  experiments::keep_freed_memory();
  return experiments::run_search_cli(std::vector<std::string>(argv, argv + argc), "", std::cout, std::cerr,
                                     "fashion_mnist_dynas.toml");
}
