// pnas_search: the PNAS progressive search (controller "pnas" over a pnas space); see
// experiments/search/search_cli.h.
#include <iostream>

#include "experiments/config/search_schema.h"
#include "experiments/harness/allocator.h"
#include "experiments/search/search_cli.h"

int main(int argc, char** argv) {
  experiments::keep_freed_memory();
  return experiments::run_search_cli(std::vector<std::string>(argv, argv + argc), "pnas", std::cout, std::cerr,
                                     experiments::pnas_search_defaults());
}
