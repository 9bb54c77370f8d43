#include "spaces/layer_stack.h"

#include "spaces/infra/errors.h"

namespace spaces {

CellGraph make_layer_stack(const std::vector<std::int64_t>& ops, const std::vector<std::string>& op_names,
                           const std::vector<double>& widths) {
  CellGraph graph;
  graph[boost::graph_bundle] = CellGraphInfo{CellRole::kLayers, Combine::kSum};
  Vertex previous = boost::add_vertex(NodeInfo{NodeKind::kCellInput, 0, "input", ""}, graph);
  for (std::size_t layer = 0; layer < ops.size(); ++layer) {
    NodeInfo node{NodeKind::kIntermediate, static_cast<int>(layer), "layer " + std::to_string(layer), ""};
    if (!widths.empty()) node.width_multiplier = widths.at(layer);
    const Vertex v = boost::add_vertex(node, graph);
    const int op = static_cast<int>(ops[layer]);
    boost::add_edge(previous, v, EdgeInfo{op, op_names.at(static_cast<std::size_t>(op)), 0}, graph);
    previous = v;
  }
  const Vertex output =
      boost::add_vertex(NodeInfo{NodeKind::kOutput, static_cast<int>(ops.size()), "output", ""}, graph);
  boost::add_edge(previous, output, EdgeInfo{-1, "identity", 0}, graph);
  return graph;
}

std::vector<std::int64_t> layer_ops(const CellGraph& stack, std::size_t layers, const std::string& space) {
  if (boost::num_vertices(stack) != layers + 2) {
    throw ArchError(space + ": expected one stack of " + std::to_string(layers) + " layers");
  }
  std::vector<std::int64_t> ops(layers, 0);
  for (std::size_t layer = 0; layer < layers; ++layer) {
    const auto [in, in_end] = boost::in_edges(static_cast<Vertex>(layer + 1), stack);
    if (std::distance(in, in_end) != 1)
      throw ArchError(space + ": layer " + std::to_string(layer) + " needs one input");
    ops[layer] = stack[*in].op;
  }
  return ops;
}

}  // namespace spaces
