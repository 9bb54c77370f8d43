#pragma once
// CellNetwork: the stacked-cell network of the cell spaces (enas_micro, nao,
// pnas, darts).
//
//   stem (conv 3x3 -> BN, stem_multiplier*C channels)
//   N normal cells, reduction cell, N normal cells, reduction cell, N normal cells
//   [auxiliary head after the second reduction] classifier
//
// A cell calibrates its two inputs (the outputs two back and one back) to
// its width C: FactorizedReduce when the older one has twice the
// resolution, ReLU-conv1x1-BN when the width differs. Each node sums its two
// edges op(input); in a reduction cell edges from the cell inputs run at
// stride 2 (NASNet/DARTS). The output concatenates the graph's output
// in-edges (loose ends, or all nodes for DARTS); ENAS-style spaces then
// project it back to C (ReLU -> 1x1 conv -> BN, one C x C weight slice per
// vertex, so any set of loose ends shares weights), DARTS keeps the concat
// (B*C channels), and so does ENAS's fixed-arc form
// (NetworkOptions::fixed_arc_form, which also adds a ReLU-1x1-BN on input 1). Loose cell inputs of a reduction cell are
// factorized-reduced. With NetworkOptions::factorized_reductions a reduction cell instead reads (previous output,
// FactorizedReduce(previous output)) and runs at stride 1.

#include <vector>

#include "childnets/network_family.h"

namespace childnets {

struct CellPlan {
  int position = 0;  // index in the stack
  bool reduction = false;
  bool strided = false;       // reduction with stride-2 edges from the cell inputs
  bool reduce_input = false;  // reduction that first factorized-reduces its input (ENAS search)
  int graph_cell = 0;         // which ArchGraph cell runs here
  std::int64_t in0_channels = 0, in1_channels = 0, in0_size = 0, in1_size = 0;
  std::int64_t channels = 0;      // C of this cell
  std::int64_t out_channels = 0;  // C (projected) or B*C (DARTS concat)
  std::int64_t out_size = 0;
};

// The stack of 3N+2 cells that NetworkOptions describe (N =
// cells_per_stage; reductions at positions N and 2N+1, as DARTS's layers//3
// and 2*layers//3): each cell's inputs, width and resolution. A cell's
// output is out_multipliers[its graph cell] * C wide (1: projected back to
// C; B: DARTS's concat of its B nodes; L: the fixed-arc form's L loose
// ends). `graph_cells`: 2 when normal and reduction cells differ, 1 when
// one cell serves both. Throws std::invalid_argument when
// the image is too small for two reductions.
std::vector<CellPlan> plan_cell_stack(const NetworkOptions& options, const std::vector<std::int64_t>& out_multipliers,
                                      std::size_t graph_cells);

class CellNetwork : public NetworkFamily {
 public:
  CellNetwork(const spaces::SpacePtr& space, const NetworkOptions& options);
  void declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const override;
  bool runs_smaller(const spaces::ArchGraph& arch) const override;
  ChildOutput forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                      double drop_path) const override;

 private:
  // The stack `arch` runs on: plan_ itself (no copy: forward runs every
  // child step), or in the fixed-arc form one whose widths follow each
  // cell's loose ends, computed into `fixed_arc_plan` and returned.
  const std::vector<CellPlan>& plan_for(const spaces::ArchGraph& arch, std::vector<CellPlan>& fixed_arc_plan) const;
  torch::Tensor run_cell(ParameterStoreImpl& store, const CellPlan& cell, const spaces::CellGraph& graph,
                         const torch::Tensor& in0, const torch::Tensor& in1, double drop_path) const;
  void declare_cell(ParameterStoreImpl& store, const CellPlan& cell, const spaces::CellGraph* only) const;

  NetworkOptions options_;
  std::vector<std::string> op_functions_;  // distinct op names of the space
  std::unique_ptr<WeightFreeOps> weight_free_;
  int nodes_ = 0;
  std::string space_name_;
  std::size_t graph_cells_ = 0;
  bool project_output_ = true;
  bool inputs_may_be_loose_ = true;
  bool fixed_arc_ = false;  // NetworkOptions::fixed_arc_form
  std::vector<CellPlan> plan_;
  int aux_after_ = -1;  // position of the cell the auxiliary head reads
};

}  // namespace childnets
