// hyper_search: trial-based search over hyper-spaces, as Hypernets and Neural
// Compressor's Basic NAS do it: every candidate a network trained from scratch
// (a trial), proposed by grid, random, bayes_opt or mcts. The built-in default
// is experiments/configs/fashion_mnist_hyper_cnn.toml (Hypernets' CNN space on
// Fashion-MNIST, Bayesian optimisation); tabular_hyper_dnn.toml searches the
// DNN space on a CSV file. See experiments/search/search_cli.h.
#include <iostream>

#include "experiments/harness/allocator.h"
#include "experiments/search/search_cli.h"

int main(int argc, char** argv) {
  experiments::keep_freed_memory();
  return experiments::run_search_cli(std::vector<std::string>(argv, argv + argc), "", std::cout, std::cerr,
                                     "fashion_mnist_hyper_cnn.toml");
}
