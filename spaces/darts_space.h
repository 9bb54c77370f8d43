#pragma once
// The darts space's vocabulary, for the code that relaxes it (the DARTS
// controller, the supernet) and for tests.

#include <string>
#include <vector>

namespace spaces {

// DARTS's PRIMITIVES (quark0/darts cnn/genotypes.py), in its order, 'none'
// first: none, max_pool_3x3, avg_pool_3x3, skip_connect, sep_conv_3x3,
// sep_conv_5x5, dil_conv_3x3, dil_conv_5x5.
const std::vector<std::string>& darts_primitives();

}  // namespace spaces
