#include "spaces/enas_macro_space.h"

#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace spaces {
namespace {

const std::vector<std::string> kEnasMacroOps = {"conv_3x3",     "sep_conv_3x3", "conv_5x5",
                                                "sep_conv_5x5", "avg_pool_3x3", "max_pool_3x3"};

std::string vertex_name(int vertex) { return vertex == 0 ? "stem" : "layer " + std::to_string(vertex - 1); }

}  // namespace

EnasMacroSpace::EnasMacroSpace(Params params)
    : SearchSpace("enas_macro", std::move(params)), layers_(static_cast<int>(this->params().get_int("layers"))) {
  op_names_ = kEnasMacroOps;
  for (int layer = 0; layer < layers_; ++layer) {
    const int vertex = layer + 1;
    decisions_.push_back(Decision{DecisionKind::kOp, static_cast<std::int64_t>(op_names_.size()), 0, vertex, 0});
    for (int j = 0; j < layer; ++j) decisions_.push_back(Decision{DecisionKind::kSkipBit, 2, 0, vertex, j});
  }
}

std::string EnasMacroSpace::cell_name(int /*cell*/) const { return "layers"; }

std::string EnasMacroSpace::describe_decision(std::size_t position) const {
  const Decision& d = decisions_.at(position);
  const std::string layer = "layer " + std::to_string(d.node - 1);
  if (d.kind == DecisionKind::kOp) return layer + " op";
  return layer + " skip from " + vertex_name(d.slot);
}

std::size_t EnasMacroSpace::op_position(int layer) const {
  // Layers before `layer` hold 1 + i tokens each.
  return static_cast<std::size_t>(layer) + static_cast<std::size_t>(layer) * (layer - 1) / 2;
}

ArchGraph EnasMacroSpace::decode(const Arch& arch) const {
  validate(arch);
  CellGraph graph;
  graph[boost::graph_bundle] = CellGraphInfo{CellRole::kLayers, Combine::kSum};
  boost::add_vertex(NodeInfo{NodeKind::kCellInput, 0, vertex_name(0), ""}, graph);
  for (int layer = 0; layer < layers_; ++layer) {
    const int vertex = layer + 1;
    boost::add_vertex(NodeInfo{NodeKind::kIntermediate, layer, vertex_name(vertex), ""}, graph);
    const std::size_t at = op_position(layer);
    const auto op = static_cast<int>(arch.tokens[at]);
    boost::add_edge(static_cast<Vertex>(vertex - 1), static_cast<Vertex>(vertex),
                    EdgeInfo{op, op_names_[static_cast<std::size_t>(op)], 0}, graph);
    for (int j = 0; j < layer; ++j) {
      if (arch.tokens[at + 1 + static_cast<std::size_t>(j)] == 1) {
        boost::add_edge(static_cast<Vertex>(j), static_cast<Vertex>(vertex), EdgeInfo{-1, "skip", 1}, graph);
      }
    }
  }
  const int output = layers_ + 1;
  boost::add_vertex(NodeInfo{NodeKind::kOutput, output, "output", ""}, graph);
  boost::add_edge(static_cast<Vertex>(layers_), static_cast<Vertex>(output), EdgeInfo{-1, "identity", 0}, graph);
  return ArchGraph{spec(), {std::move(graph)}};
}

Arch EnasMacroSpace::encode(const ArchGraph& arch_graph) const {
  if (arch_graph.space != spec() || arch_graph.cells.size() != 1) {
    throw ArchError(name() + ": expected one layer graph of space " + name());
  }
  const CellGraph& graph = arch_graph.cells.front();
  if (boost::num_vertices(graph) != static_cast<std::size_t>(layers_ + 2)) {
    throw ArchError(name() + ": layer graph has " + std::to_string(boost::num_vertices(graph)) +
                    " vertices, expected " + std::to_string(layers_ + 2));
  }
  std::vector<std::int64_t> tokens(num_tokens(), 0);
  for (int layer = 0; layer < layers_; ++layer) {
    const std::size_t at = op_position(layer);
    int main_inputs = 0;
    for (auto [it, end] = boost::in_edges(static_cast<Vertex>(layer + 1), graph); it != end; ++it) {
      const auto source = static_cast<int>(boost::source(*it, graph));
      if (graph[*it].op >= 0) {
        if (source != layer)
          throw ArchError(name() + ": layer " + std::to_string(layer) + " op edge not from its predecessor");
        tokens[at] = graph[*it].op;
        ++main_inputs;
      } else {
        if (source >= layer) throw ArchError(name() + ": layer " + std::to_string(layer) + " has an illegal skip");
        tokens[at + 1 + static_cast<std::size_t>(source)] = 1;
      }
    }
    if (main_inputs != 1) throw ArchError(name() + ": layer " + std::to_string(layer) + " needs exactly one op edge");
  }
  Arch arch = make_arch(std::move(tokens));
  validate(arch);
  return arch;
}

BigCount EnasMacroSpace::size() const {
  const auto L = static_cast<std::uint64_t>(layers_);
  return BigCount::power(BigCount(6), L) * BigCount::power(BigCount(2), L * (L - 1) / 2);
}

REGISTER_SPACE(enas_macro, "ENAS macro: L layers, one of 6 ops each plus skip bits to earlier layers",
               {ParamSpec{"layers", std::int64_t{12}, "number of layers (L)", 1, 48}},
               [](const Params& params) { return std::make_shared<const EnasMacroSpace>(params); });

}  // namespace spaces
