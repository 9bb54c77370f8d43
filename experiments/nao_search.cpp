// nao_search: NAO-WS, the encoder-predictor-decoder search with weight
// sharing (controller "nao"); see experiments/search/search_cli.h.
#include <iostream>

#include "experiments/config/search_schema.h"
#include "experiments/harness/allocator.h"
#include "experiments/search/search_cli.h"

int main(int argc, char** argv) {
  experiments::keep_freed_memory();
  return experiments::run_search_cli(std::vector<std::string>(argv, argv + argc), "nao", std::cout, std::cerr,
                                     experiments::nao_search_defaults());
}
