#pragma once
// CellGraph: one decoded cell (or layer stack, or Genetic CNN stage) as a
// Boost.Graph DAG; ArchGraph: every cell of one architecture.
//
// Guarantees of a graph produced by SearchSpace::decode:
// - Vertex numbers are a topological order: every edge goes from a lower to
//   a higher vertex. Cell inputs come first, the single kOutput vertex last.
// - An intermediate vertex computes node_op(sum over in-edges of
//   edge.op(source)). node_op is empty for the cell spaces (plain sum); the
//   Genetic CNN space puts its convolution on the node.
// - The output vertex concatenates (kConcat) or sums (kSum) its in-edges, per
//   CellGraphInfo::combine. Its in-edges ARE the concat list: read them,
//   never recompute them (ENAS/NAO: every loose end, cell inputs included;
//   PNAS: loose-end nodes only; DARTS: every node).
// - Edge `slot` is the input slot the token sequence assigned (0/1 for a
//   cell node, 0 for a macro layer's main input, 1 for its skips); it keeps
//   encode() exact but never changes the function (see canonical_hash).

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

namespace spaces {

enum class NodeKind { kCellInput, kIntermediate, kOutput };
enum class CellRole { kNormal, kReduction, kNormalAndReduction, kLayers, kStage };
enum class Combine { kConcat, kSum };

std::string to_string(CellRole role);

struct NodeInfo {
  NodeKind kind = NodeKind::kIntermediate;
  int index = 0;        // position in the space's own numbering (ENAS index, layer, GeNet node)
  std::string name;     // "in0", "node 3", "layer 5", "output"
  std::string node_op;  // applied after the sum of inputs; empty for none
  // The node's channels relative to its layout's (SPOS's channel search):
  // part of the function, so of canonical_hash and describe.
  double width_multiplier = 1.0;
};

struct EdgeInfo {
  int op = -1;          // index into the space's op vocabulary; -1 for a plain connection
  std::string op_name;  // "sep_conv_3x3", or "identity"/"skip" for plain connections
  int slot = 0;
};

struct CellGraphInfo {
  CellRole role = CellRole::kNormal;
  Combine combine = Combine::kConcat;
};

using CellGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, NodeInfo, EdgeInfo, CellGraphInfo>;
using Vertex = boost::graph_traits<CellGraph>::vertex_descriptor;
using Edge = boost::graph_traits<CellGraph>::edge_descriptor;

struct ArchGraph {
  std::string space;  // the space's spec, as Arch::space
  std::vector<CellGraph> cells;
};

// In-edges of `v` ordered by slot (the order the tokens gave them).
std::vector<Edge> inputs_by_slot(const CellGraph& graph, Vertex v);
// The vertex of kind kOutput (the last one).
Vertex output_vertex(const CellGraph& graph);
// Vertices (cell inputs included) with no out-edge except to the output, in order.
std::vector<Vertex> loose_ends(const CellGraph& graph);

// A hash of the function the graph computes: equal for graphs that differ
// only in vertex numbering, in the order of a node's inputs, or in the order
// of the output concat; different (up to 64-bit collisions) otherwise.
std::uint64_t canonical_hash(const CellGraph& graph);
std::uint64_t canonical_hash(const ArchGraph& arch);

// One line per computed vertex, e.g.
//   node 2 = sep_conv_3x3(in1) + identity(in0)
//   output = concat(node 3, node 4)
void describe(std::ostream& out, const CellGraph& graph);
void describe(std::ostream& out, const ArchGraph& arch);

// Graphviz DOT of all cells, drawn side by side as disconnected components,
// via boost::write_graphviz_dp.
void write_dot(std::ostream& out, const ArchGraph& arch);

}  // namespace spaces
