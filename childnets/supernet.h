#pragma once
// The supernet of a differentiable search: DARTS's search network
// (quark0/darts cnn/model_search.py) over the cells of the darts space.
//
//   stem (conv 3x3 -> BN, stem_multiplier*C channels)
//   3N+2 cells (reductions at N and 2N+1), each: preprocess s0 (factorized
//   reduction after a reduction cell, else ReLU-conv1x1-BN) and s1
//   (ReLU-conv1x1-BN); node i (0-based) sums a MixedOp over every earlier
//   state j = 0 .. i+1 (edges from the cell inputs at stride 2 in a
//   reduction cell); output = concat of the B nodes (B*C channels)
//   global average pool -> linear (no ReLU before the pool, as DARTS)
//
// A MixedOp is sum_k w_k * op_k(x) over the candidate ops (DARTS's 8
// PRIMITIVES), w = the edge's row of the weights the controller gives
// (softmax(α)). Every batch norm inside the cells has no learned scale and
// shift (affine=False), and each pool is followed by one (model_search.py);
// the stem's batch norm is affine. 'none' contributes zero and is not
// computed (its weight still takes part in the softmax, so α's gradient is
// DARTS's). Edges are numbered per cell as DARTS does (node i's edges start
// at sum_{k<i} (2 + k)).
//
// The same store also runs discrete architectures of the darts space: each
// edge of the graph runs its op's module of the supernet (weight 1), so a
// derived genotype can be scored on the trained supernet weights.
// Store keys: c<p>.pre0, c<p>.pre1, c<p>.n<node vertex>.i<input>.<op>,
// stem, classifier.

#include <string>
#include <vector>

#include "childnets/cell_network.h"
#include "childnets/child_network.h"

namespace childnets {

// Whether `space` has a relaxation a supernet builds: the darts space
// (MixedCellNetwork below) and the fbnet space (FbnetNetwork's
// forward_mixed, childnets/fbnet_network.h).
bool has_supernet(const spaces::SearchSpace& space);

class MixedCellNetwork : public NetworkFamily {
 public:
  // `candidate_ops`: the MixedOp's ops, in the column order of the edge
  // weights; every op the space names must be among them. Throws
  // std::invalid_argument for a space without a relaxation or an op the
  // library lacks.
  MixedCellNetwork(const spaces::SpacePtr& space, const NetworkOptions& options,
                   std::vector<std::string> candidate_ops);

  // Declares every module of the relaxation (`only` must be null: a
  // supernet always holds every edge and op).
  void declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const override;
  // A discrete architecture of the space on the supernet's weights.
  ChildOutput forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                      double drop_path) const override;
  // x [batch, channels, size, size]; edge_weights[t] [edges, ops] for cell
  // type t (0 normal, 1 reduction). Throws std::invalid_argument for
  // weights of another shape.
  ChildOutput forward_mixed(ParameterStoreImpl& store, const torch::Tensor& x,
                            const std::vector<torch::Tensor>& edge_weights) const override;

  std::int64_t edges_per_cell() const { return edges_; }
  const std::vector<std::string>& candidate_ops() const { return candidate_ops_; }

 private:
  // Runs one cell; `edge_op` gives, for edge (node, input), the ops to sum
  // with their weights (empty: the edge is absent).
  using EdgeTerms = std::vector<std::pair<std::size_t, torch::Tensor>>;  // op index, weight (undefined: 1)
  torch::Tensor run_cell(ParameterStoreImpl& store, const CellPlan& cell, const torch::Tensor& in0,
                         const torch::Tensor& in1,
                         const std::function<EdgeTerms(int node, int input, int edge)>& edge_terms) const;

  NetworkOptions options_;
  int nodes_ = 4;
  std::int64_t edges_ = 14;
  std::vector<std::string> candidate_ops_;
  std::vector<CellPlan> plan_;
};

// A store holding every weight of the supernet of `space`. For the fbnet
// space: its network's store of every block (`candidate_ops` must be the
// space's block names in token order, else std::invalid_argument). For a
// cell space, of `options`, the supernet uses input_channels, image_size, num_classes, channels,
// cells_per_stage and stem_multiplier; it has no dropout, drop path or
// auxiliary head, and a reduction cell always runs its edges from the cell
// inputs at stride 2, as DARTS's does (factorized_reductions is not read). Throws as the
// MixedCellNetwork constructor does.
ParameterStore make_supernet_store(const spaces::SpacePtr& space, const NetworkOptions& options,
                                   const std::vector<std::string>& candidate_ops);
// The supernet over `store` (from make_supernet_store with the same
// arguments; a store of another network fails at its first forward with
// std::out_of_range naming the missing key); for fbnet, an FbnetNetwork
// over it. Throws as make_supernet_store does.
ChildNetwork make_supernet(const spaces::SpacePtr& space, const NetworkOptions& options,
                           const std::vector<std::string>& candidate_ops, ParameterStore store);

}  // namespace childnets
