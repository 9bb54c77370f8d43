#pragma once
// The graph of a layer-wise space (spos, fbnet): one stack (role
// kLayers) of the input, vertex i + 1 for layer i, whose one in-edge, from
// the vertex before, carries the layer's op, and the output.

#include <cstdint>
#include <string>
#include <vector>

#include "spaces/cell_graph.h"

namespace spaces {

// The stack of ops[i] (an index into op_names) per layer; `widths`, when
// given (one per layer), become each layer vertex's width_multiplier.
CellGraph make_layer_stack(const std::vector<std::int64_t>& ops, const std::vector<std::string>& op_names,
                           const std::vector<double>& widths = {});

// The op of each of the `layers` layers of `stack`. Throws ArchError,
// naming `space`, for a graph that is not such a stack.
std::vector<std::int64_t> layer_ops(const CellGraph& stack, std::size_t layers, const std::string& space);

}  // namespace spaces
