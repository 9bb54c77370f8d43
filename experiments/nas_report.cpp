// nas_report: see experiments/report/report_cli.h.
#include <iostream>

#include "experiments/report/report_cli.h"

int main(int argc, char** argv) {
  return experiments::run_report_cli(std::vector<std::string>(argv, argv + argc), std::cout, std::cerr);
}
