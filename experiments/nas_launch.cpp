// nas_launch: see experiments/distributed/launcher.h.
#include <iostream>

#include "experiments/distributed/launcher.h"

int main(int argc, char** argv) {
  return experiments::run_launcher(std::vector<std::string>(argv, argv + argc), std::cout, std::cerr);
}
