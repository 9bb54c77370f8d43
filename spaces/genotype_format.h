#pragma once
// The DARTS genotype text form, as printed by DARTS's genotypes.py:
//   Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ...],
//            normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=range(2, 6))
// Also read: the edges grouped per node ([(('op', 0), ('op', 1)), ...]),
// edges in [ ] instead of ( ), a list in ( ), and a weight after an edge's
// input (read and dropped), as other DARTS-family code bases print them.
// Pure syntax: which ops and inputs are legal is the space's business.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spaces {

struct GenotypeCell {
  std::vector<std::pair<std::string, int>> edges;  // (op name, input vertex), two per node, in order
  std::vector<int> concat;                         // vertices concatenated into the output
};

struct Genotype {
  GenotypeCell normal;
  GenotypeCell reduce;
};

std::string print_genotype(const Genotype& genotype);
bool looks_like_genotype(std::string_view text);
// Throws ArchParseError naming `space` and what is malformed (a missing
// field, a non-integer input, an unterminated string, a trailing character).
Genotype parse_genotype(std::string_view text, const std::string& space);

}  // namespace spaces
