#pragma once
// CellSpace: the family of cell spaces where every node takes two (input,
// op) pairs and sums them — ENAS micro, NAO, PNAS and DARTS are instances
// that differ only in the CellLayout below. One implementation of the
// grammar, decode/encode, sizes and the genotype text form serves all four.
//
// Vertex numbering follows ENAS/DARTS: 0 is the cell two back (c_{k-2}),
// 1 the previous cell (c_{k-1}), 2..B+1 the nodes, B+2 the output concat.
// An input index token is a vertex number, so node j (vertex j+2) may take
// inputs 0..j+1.

#include <string>
#include <vector>

#include "spaces/search_space.h"

namespace spaces {

enum class TokenOrder {
  kInputOpInputOp,  // ENAS / NAO / DARTS arcs: per node  i1 o1 i2 o2
  kInputsThenOps,   // PNAS: per block  i1 i2 o1 o2
};

enum class OutputRule {
  kLooseEndsWithInputs,  // ENAS, NAO: every unconsumed vertex, cell inputs included
  kLooseEndNodes,        // PNAS: unconsumed nodes only
  kAllNodes,             // DARTS: every intermediate node (concat = range(2, B+2))
};

struct CellLayout {
  std::vector<std::string> ops;  // op vocabulary, by token value
  // Op name as a function, when two tokens name the same operation (NAO's
  // 16-op list repeats identity and two pools); empty: same as `ops`.
  std::vector<std::string> op_functions;
  std::vector<CellRole> cells;  // {normal, reduction}, or one cell used for both
  int nodes = 5;
  TokenOrder order = TokenOrder::kInputOpInputOp;
  OutputRule output = OutputRule::kLooseEndsWithInputs;
  bool distinct_inputs = false;  // DARTS: a node's two inputs differ
  bool genotype_first = false;   // canonical text form is the DARTS genotype

  // The (earlier state, node) pairs of a cell, each an edge of DARTS's
  // continuous relaxation: node i (0-based) may take any of the 2 + i
  // states before it (the two cell inputs, nodes 0..i-1), so
  // Σ (2 + i) = nodes (nodes + 3) / 2; 14 for 4 nodes.
  std::int64_t candidate_edges() const { return std::int64_t{nodes} * (nodes + 3) / 2; }
};

class CellSpace : public SearchSpace {
 public:
  CellSpace(std::string name, Params params, CellLayout layout);

  std::string cell_name(int cell) const override;
  std::vector<bool> legal_choices(std::span<const std::int64_t> prefix) const override;

  ArchGraph decode(const Arch& arch) const override;
  Arch encode(const ArchGraph& graph) const override;

  // "arc" (the token list) for every instance; "genotype" (DARTS's
  // Genotype(normal=[('op', input), ...], normal_concat=[...], reduce=...,
  // reduce_concat=...)) for the two-cell ones.
  using SearchSpace::to_string;
  std::vector<std::string> formats() const override;
  std::string to_string(const Arch& arch, const std::string& format) const override;

  BigCount size() const override;
  std::vector<std::pair<std::string, BigCount>> size_parts() const override;
  BigCount cell_size() const;

  const CellLayout& layout() const { return layout_; }
  // Token position of node `node` (0-based), `slot` 0/1, input or op.
  std::size_t position(int cell, int node, int slot, DecisionKind kind) const;

 protected:
  Arch parse_text(const std::string& text) const override;

 private:
  std::vector<int> concat_sources(const CellGraph& cell) const;
  CellLayout layout_;
};

}  // namespace spaces
