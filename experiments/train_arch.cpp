// train_arch: trains one architecture from scratch (final training) and
// reports its test accuracy; see experiments/train/train_cli.h.
#include <iostream>

#include "experiments/harness/allocator.h"
#include "experiments/train/train_cli.h"

int main(int argc, char** argv) {
  experiments::keep_freed_memory();
  return experiments::run_train_cli(std::vector<std::string>(argv, argv + argc), std::cout, std::cerr);
}
