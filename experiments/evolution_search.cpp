// evolution_search: the evolutionary strategies on the search core — regularized_evolution (the built-in
// default, experiments/configs/fashion_mnist_evolution.toml: aging evolution over a SPOS supernet),
// genetic_cnn (fashion_mnist_genetic_cnn.toml) and ofa_evolution (fashion_mnist_ofa.toml), or any other
// strategy its --config names. See experiments/search/search_cli.h.
#include <iostream>

#include "experiments/harness/allocator.h"
#include "experiments/search/search_cli.h"

int main(int argc, char** argv) {
  experiments::keep_freed_memory();
  return experiments::run_search_cli(std::vector<std::string>(argv, argv + argc), "", std::cout, std::cerr,
                                     "fashion_mnist_evolution.toml");
}
