// Fuzz target: the DARTS genotype reader (spaces/genotype_format.h), in
// every spelling it reads (edges per node, [ ] or ( ), weights after an
// input, range(...) concat).
//
// Refusal allowed: spaces::ArchParseError. On every accepted text: the
// printed genotype reads back to the same edges and concat lists.

#include <cstdint>
#include <string>

#include "spaces/genotype_format.h"
#include "spaces/infra/errors.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

bool same_cell(const spaces::GenotypeCell& a, const spaces::GenotypeCell& b) {
  return a.edges == b.edges && a.concat == b.concat;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  spaces::Genotype genotype;
  try {
    genotype = spaces::parse_genotype(fuzz::as_text(data, size), "fuzz");
  } catch (const spaces::ArchParseError&) {
    return 0;
  }
  const spaces::Genotype back = spaces::parse_genotype(spaces::print_genotype(genotype), "fuzz");
  fuzz::require(same_cell(back.normal, genotype.normal) && same_cell(back.reduce, genotype.reduce),
                "print_genotype reads back to the same genotype");
  return 0;
}
