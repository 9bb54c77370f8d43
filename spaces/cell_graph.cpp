#include "spaces/cell_graph.h"

#include <algorithm>
#include <bit>
#include <ostream>
#include <stdexcept>

// GCC 12 reports a false -Wmaybe-uninitialized inside Boost's edge iterator
// when write_graphviz_dp is instantiated; the iterator is always initialised.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/graph/graphviz.hpp>

#include "spaces/arch.h"

namespace spaces {

std::string to_string(CellRole role) {
  switch (role) {
    case CellRole::kNormal:
      return "normal cell";
    case CellRole::kReduction:
      return "reduction cell";
    case CellRole::kNormalAndReduction:
      return "cell";
    case CellRole::kLayers:
      return "layers";
    case CellRole::kStage:
      return "stage";
  }
  return "cell";
}

std::vector<Edge> inputs_by_slot(const CellGraph& graph, Vertex v) {
  std::vector<Edge> edges;
  for (auto [it, end] = boost::in_edges(v, graph); it != end; ++it) edges.push_back(*it);
  std::stable_sort(edges.begin(), edges.end(), [&](const Edge& a, const Edge& b) {
    if (graph[a].slot != graph[b].slot) return graph[a].slot < graph[b].slot;
    return boost::source(a, graph) < boost::source(b, graph);
  });
  return edges;
}

Vertex output_vertex(const CellGraph& graph) {
  const auto n = boost::num_vertices(graph);
  if (n == 0 || graph[n - 1].kind != NodeKind::kOutput) throw std::logic_error("cell graph without an output vertex");
  return n - 1;
}

std::vector<Vertex> loose_ends(const CellGraph& graph) {
  const Vertex out = output_vertex(graph);
  std::vector<Vertex> ends;
  for (Vertex v = 0; v < out; ++v) {
    bool consumed = false;
    for (auto [it, end] = boost::out_edges(v, graph); it != end; ++it) consumed |= boost::target(*it, graph) != out;
    if (!consumed) ends.push_back(v);
  }
  return ends;
}

std::uint64_t canonical_hash(const CellGraph& graph) {
  const auto n = boost::num_vertices(graph);
  std::vector<std::uint64_t> vertex_hash(n);
  for (Vertex v = 0; v < n; ++v) {
    const NodeInfo& node = graph[v];
    if (node.kind == NodeKind::kCellInput) {
      vertex_hash[v] = hash_mix(hash_string("input"), static_cast<std::uint64_t>(node.index));
      continue;
    }
    // Inputs are summed (or concatenated at the output), so their order is
    // irrelevant: hash the sorted multiset of (op, source function).
    std::vector<std::uint64_t> terms;
    for (auto [it, end] = boost::in_edges(v, graph); it != end; ++it) {
      const Vertex source = boost::source(*it, graph);
      if (source >= v) throw std::logic_error("cell graph vertices are not in topological order");
      terms.push_back(hash_mix(hash_string(graph[*it].op_name), vertex_hash[source]));
    }
    std::sort(terms.begin(), terms.end());
    std::uint64_t h = hash_mix(hash_string(node.node_op), static_cast<std::uint64_t>(node.kind));
    if (node.width_multiplier != 1.0) h = hash_mix(h, std::bit_cast<std::uint64_t>(node.width_multiplier));
    for (std::uint64_t term : terms) h = hash_mix(h, term);
    vertex_hash[v] = h;
  }
  const CellGraphInfo& info = graph[boost::graph_bundle];
  std::uint64_t h = hash_mix(static_cast<std::uint64_t>(info.role), static_cast<std::uint64_t>(info.combine));
  return n == 0 ? h : hash_mix(h, vertex_hash[n - 1]);
}

std::uint64_t canonical_hash(const ArchGraph& arch) {
  std::uint64_t h = hash_string(arch.space);
  for (const CellGraph& cell : arch.cells) h = hash_mix(h, canonical_hash(cell));
  return h;
}

void describe(std::ostream& out, const CellGraph& graph) {
  const Vertex output = output_vertex(graph);
  for (Vertex v = 0; v < boost::num_vertices(graph); ++v) {
    const NodeInfo& node = graph[v];
    if (node.kind == NodeKind::kCellInput) continue;
    std::string terms;
    for (const Edge& e : inputs_by_slot(graph, v)) {
      const std::string& source = graph[boost::source(e, graph)].name;
      const std::string& op = graph[e].op_name;
      const bool plain = v == output || op == "identity" || op == "skip";
      const std::string term = plain ? source : op + "(" + source + ")";
      const char* joiner = v == output && graph[boost::graph_bundle].combine == Combine::kConcat ? ", " : " + ";
      terms += (terms.empty() ? "" : joiner) + term;
    }
    if (terms.empty()) terms = "(nothing)";
    if (v == output && graph[boost::graph_bundle].combine == Combine::kConcat) terms = "concat(" + terms + ")";
    if (!node.node_op.empty()) terms = node.node_op + "(" + terms + ")";
    out << "  " << node.name << " = " << terms;
    if (node.width_multiplier != 1.0) out << " at width x" << node.width_multiplier;
    out << "\n";
  }
}

void describe(std::ostream& out, const ArchGraph& arch) {
  for (std::size_t c = 0; c < arch.cells.size(); ++c) {
    const CellRole role = arch.cells[c][boost::graph_bundle].role;
    out << to_string(role);
    if (role == CellRole::kStage) out << " " << c + 1;
    out << ":\n";
    describe(out, arch.cells[c]);
  }
}

void write_dot(std::ostream& out, const ArchGraph& arch) {
  // Copy every cell into one graph with globally unique vertex ids; Graphviz
  // draws the disconnected cells side by side.
  struct DotVertex {
    std::string id, label, shape;
  };
  struct DotEdge {
    std::string label;
  };
  using DotGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, DotVertex, DotEdge>;
  DotGraph dot;
  for (std::size_t c = 0; c < arch.cells.size(); ++c) {
    const CellGraph& cell = arch.cells[c];
    std::string prefix = to_string(cell[boost::graph_bundle].role);
    if (cell[boost::graph_bundle].role == CellRole::kStage) prefix += " " + std::to_string(c + 1);
    const auto first = boost::num_vertices(dot);
    for (Vertex v = 0; v < boost::num_vertices(cell); ++v) {
      const NodeInfo& node = cell[v];
      std::string label = prefix + "\\n" + node.name + (node.node_op.empty() ? "" : "\\n" + node.node_op);
      std::string shape = node.kind == NodeKind::kIntermediate ? "ellipse" : "box";
      std::string id = "c" + std::to_string(c) + "_v" + std::to_string(v);
      boost::add_vertex(DotVertex{id, label, shape}, dot);
    }
    for (auto [it, end] = boost::edges(cell); it != end; ++it) {
      const std::string& op = cell[*it].op_name;
      boost::add_edge(first + boost::source(*it, cell), first + boost::target(*it, cell),
                      DotEdge{op == "identity" || op == "skip" ? "" : op}, dot);
    }
  }
  boost::dynamic_properties properties;
  properties.property("node_id", boost::get(&DotVertex::id, dot));
  properties.property("label", boost::get(&DotVertex::label, dot));
  properties.property("shape", boost::get(&DotVertex::shape, dot));
  properties.property("label", boost::get(&DotEdge::label, dot));
  boost::write_graphviz_dp(out, dot, properties);
}
#pragma GCC diagnostic pop

}  // namespace spaces
