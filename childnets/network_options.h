#pragma once
// NetworkOptions: the shape of a child network, shared by every space. The
// architecture decides what each cell computes; these options decide how
// many cells, how wide, and what surrounds them.
//
// Cell spaces (enas_micro, nao, pnas, darts) stack N normal cells, a
// reduction cell, N normal cells, a reduction cell, N normal cells
// (3N+2 cells; ENAS search: N=2 -> 8 cells with reductions at positions 2
// and 5). A reduction cell doubles the channels and halves the resolution.
// The macro space has the space's L layers with factorized-reduction pools
// after layers L/3-1 and 2L/3-1 (ENAS). GeNet has one stage per space stage
// with a 2x2 max pool between stages.

#include <torch/arg.h>

#include <cstdint>

namespace childnets {

struct NetworkOptions {
  TORCH_ARG(std::int64_t, input_channels) = 1;  // 1 for (Fashion-)MNIST, 3 for CIFAR-10
  TORCH_ARG(std::int64_t, image_size) = 28;     // input height = width
  TORCH_ARG(std::int64_t, num_classes) = 10;
  TORCH_ARG(std::int64_t, channels) = 20;        // C of the first stage (doubled at each reduction)
  TORCH_ARG(std::int64_t, cells_per_stage) = 2;  // N normal cells per stage (cell spaces)
  TORCH_ARG(std::int64_t, stem_multiplier) = 3;  // stem width = stem_multiplier * C (cell spaces)
  // Reduction cells, cell spaces. false (NASNet/DARTS, ENAS's fixed-arc
  // training): edges from the cell inputs run at stride 2. true (ENAS's
  // search): factorized-reduce the previous output, then run the reduction
  // cell at stride 1 on (previous output, its reduction), as ENAS's
  // micro_child does while searching; cheaper, since no op runs at the
  // higher resolution.
  TORCH_ARG(bool, factorized_reductions) = false;
  // Cell spaces whose cells output their loose ends (enas_micro, nao):
  // build a fixed architecture as ENAS's and NAO-WS's final-training code
  // does (ENAS micro_child.py _fixed_layer/_fixed_combine, NAO-WS
  // model.py, which is the same code), not as their search code (the form
  // the shared store uses):
  //  - a cell outputs the concatenation of its loose ends, L*C wide, with no
  //    projection back to C;
  //  - the next cells calibrate those wide tensors as before (a factorized
  //    reduction for input 0 at twice the resolution, ReLU-1x1-BN when the
  //    width differs), then every cell applies a further ReLU-1x1-BN C->C to
  //    input 1 ("layer_base");
  //  - a stride-2 identity and a loose input of a reduction cell are
  //    factorized reductions without a leading ReLU;
  //  - the auxiliary head reads the first normal cell after the second
  //    reduction (AuxiliaryHeadOptions::enas_form);
  //  - the classifier has no bias.
  // The macro space: general_child.py's fixed arc (macro_network.h).
  // Only for a standalone network of one architecture (the widths depend
  // on its loose ends); a shared store throws std::invalid_argument.
  TORCH_ARG(bool, fixed_arc_form) = false;
  TORCH_ARG(bool, auxiliary) = false;  // auxiliary head after the second reduction (fixed-arc form: one cell later)
  TORCH_ARG(double, dropout) = 0.0;    // before the classifier (ENAS: 1 - keep_prob)
};

}  // namespace childnets
