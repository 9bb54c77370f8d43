// nas_arch: see experiments/arch_tool.h.
#include <iostream>

#include "experiments/arch_tool.h"

int main(int argc, char** argv) {
  return experiments::run_arch_tool(std::vector<std::string>(argv, argv + argc), std::cout, std::cerr);
}
