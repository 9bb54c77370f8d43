#include "childnets/cell_network.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "spaces/cell_space.h"

namespace childnets {
namespace {

using spaces::CellGraph;
using spaces::Vertex;

std::string edge_key(int position, int node, int slot, int input, const std::string& op) {
  return make_key("c", position, ".n", node, ".s", slot, ".i", input, ".", op);
}
std::string pre_key(int position, int input) { return make_key("c", position, ".pre", input); }
std::string proj_key(int position, int vertex) { return make_key("c", position, ".proj.v", vertex); }
std::string shrink_key(int position, int vertex) { return make_key("c", position, ".shrink", vertex); }
std::string reduce_input_key(int position) { return make_key("c", position, ".reduce_input"); }
std::string base_key(int position) { return make_key("c", position, ".base"); }

std::shared_ptr<torch::nn::Module> make_projection_slice(std::int64_t channels) {
  return std::make_shared<torch::nn::Conv2dImpl>(torch::nn::Conv2dOptions(channels, channels, 1).bias(false));
}

// The calibration of one cell input, or nullptr when it already fits.
std::shared_ptr<CellOpImpl> make_calibration(std::int64_t in_channels, std::int64_t in_size, std::int64_t channels,
                                             std::int64_t size) {
  if (in_size != size) return std::make_shared<FactorizedReduceImpl>(FactorizedReduceOptions(in_channels, channels));
  if (in_channels != channels) return std::make_shared<ReluConvBnImpl>(ReluConvBnOptions(in_channels, channels, 1));
  return nullptr;
}

}  // namespace

std::vector<CellPlan> plan_cell_stack(const NetworkOptions& options, const std::vector<std::int64_t>& out_multipliers,
                                      std::size_t graph_cells) {
  std::vector<CellPlan> plan;
  const std::int64_t n = options.cells_per_stage();
  std::int64_t channels = options.channels(), size = options.image_size();
  const std::int64_t stem = options.stem_multiplier() * options.channels();
  std::int64_t prev_prev_ch = stem, prev_ch = stem, prev_prev_size = size, prev_size = size;
  const int total = static_cast<int>(3 * n + 2);
  for (int position = 0; position < total; ++position) {
    CellPlan cell;
    cell.position = position;
    cell.reduction = position == n || position == 2 * n + 1;
    if (cell.reduction) {
      channels *= 2;
      if (size < 2)
        throw std::invalid_argument("image size " + std::to_string(options.image_size()) +
                                    " too small for two reductions");
      size = (size + 1) / 2;
    }
    cell.graph_cell = graph_cells == 2 && cell.reduction ? 1 : 0;
    cell.reduce_input = cell.reduction && options.factorized_reductions();
    cell.strided = cell.reduction && !cell.reduce_input;
    cell.in0_channels = cell.reduce_input ? prev_ch : prev_prev_ch;
    cell.in1_channels = cell.reduce_input ? channels : prev_ch;
    cell.in0_size = cell.reduce_input ? prev_size : prev_prev_size;
    cell.in1_size = cell.reduce_input ? size : prev_size;
    cell.channels = channels;
    cell.out_channels = channels * out_multipliers.at(static_cast<std::size_t>(cell.graph_cell));
    cell.out_size = size;
    plan.push_back(cell);
    prev_prev_ch = prev_ch;
    prev_prev_size = prev_size;
    prev_ch = cell.out_channels;
    prev_size = size;
  }
  return plan;
}

CellNetwork::CellNetwork(const spaces::SpacePtr& space, const NetworkOptions& options) : options_(options) {
  const auto* cells = dynamic_cast<const spaces::CellSpace*>(space.get());
  if (cells == nullptr) throw std::invalid_argument("CellNetwork needs a cell space, got " + space->name());
  const spaces::CellLayout& layout = cells->layout();
  nodes_ = layout.nodes;
  space_name_ = space->name();
  graph_cells_ = layout.cells.size();
  project_output_ = layout.output != spaces::OutputRule::kAllNodes;
  inputs_may_be_loose_ = layout.output == spaces::OutputRule::kLooseEndsWithInputs;
  std::set<std::string> functions(layout.op_functions.begin(), layout.op_functions.end());
  op_functions_.assign(functions.begin(), functions.end());
  weight_free_ = std::make_unique<WeightFreeOps>(op_functions_, std::vector<std::int64_t>{1, 2});

  fixed_arc_ = options.fixed_arc_form();
  if (fixed_arc_ && (layout.output != spaces::OutputRule::kLooseEndsWithInputs || options.factorized_reductions())) {
    throw std::invalid_argument(
        "the fixed-arc form is ENAS's and NAO-WS's final network: cells whose loose ends, "
        "inputs included, form the output, with stride-2 reduction cells; not space " +
        space->spec() + (options.factorized_reductions() ? " with factorized reductions" : ""));
  }
  plan_ = plan_cell_stack(options, std::vector<std::int64_t>(graph_cells_, project_output_ ? 1 : nodes_), graph_cells_);
  // ENAS's aux_head_indices = [pool_layers[-1] + 1] in its fixed-arc code; DARTS's after the reduction itself.
  aux_after_ = static_cast<int>(2 * options.cells_per_stage() + (fixed_arc_ ? 2 : 1));
}

const std::vector<CellPlan>& CellNetwork::plan_for(const spaces::ArchGraph& arch,
                                                   std::vector<CellPlan>& fixed_arc_plan) const {
  if (!fixed_arc_) return plan_;
  // Each cell is as wide as its loose ends.
  std::vector<std::int64_t> loose_ends;
  for (const CellGraph& graph : arch.cells) {
    loose_ends.push_back(static_cast<std::int64_t>(spaces::inputs_by_slot(graph, spaces::output_vertex(graph)).size()));
  }
  fixed_arc_plan = plan_cell_stack(options_, loose_ends, graph_cells_);
  return fixed_arc_plan;
}

void CellNetwork::declare_cell(ParameterStoreImpl& store, const CellPlan& cell, const CellGraph* only) const {
  const int p = cell.position;
  const std::int64_t c = cell.channels;
  const std::int64_t input_size = cell.in1_size;
  if (cell.reduce_input) {  // in0 is the previous output, whose width the reduction starts from
    store.add(reduce_input_key(p),
              std::make_shared<FactorizedReduceImpl>(FactorizedReduceOptions(cell.in0_channels, c)));
  }
  if (auto pre0 = make_calibration(cell.in0_channels, cell.in0_size, c, input_size)) store.add(pre_key(p, 0), pre0);
  if (auto pre1 = make_calibration(cell.in1_channels, cell.in1_size, c, input_size)) store.add(pre_key(p, 1), pre1);
  auto add_edge = [&](int node, int slot, int input, const std::string& op) {
    const std::int64_t stride = cell.strided && input < 2 ? 2 : 1;
    const std::string key = edge_key(p, node, slot, input, op);
    if (op_has_weights(op, stride) && !store.contains(key)) store.add(key, make_cell_op(op, c, stride));
  };
  std::vector<int> concat;
  if (only == nullptr) {
    for (int node = 2; node < nodes_ + 2; ++node) {
      for (int slot = 0; slot < 2; ++slot) {
        for (int input = 0; input < node; ++input) {
          for (const auto& op : op_functions_) add_edge(node, slot, input, op);
        }
      }
    }
    for (int v = 0; v < nodes_ + 2; ++v) concat.push_back(v);
  } else {
    for (Vertex v = 2; v < static_cast<Vertex>(nodes_ + 2); ++v) {
      for (const auto& e : spaces::inputs_by_slot(*only, v)) {
        add_edge(static_cast<int>(v), (*only)[e].slot, static_cast<int>(boost::source(e, *only)), (*only)[e].op_name);
      }
    }
    const Vertex out = spaces::output_vertex(*only);
    for (const auto& e : spaces::inputs_by_slot(*only, out))
      concat.push_back(static_cast<int>(boost::source(e, *only)));
  }
  if (fixed_arc_) store.add(base_key(p), std::make_shared<ReluConvBnImpl>(ReluConvBnOptions(c, c, 1)));
  const bool project = project_output_ && !fixed_arc_;
  for (int v : concat) {
    if (project && (v >= 2 || inputs_may_be_loose_)) store.add(proj_key(p, v), make_projection_slice(c));
    if (cell.strided && v < 2 && inputs_may_be_loose_) {
      store.add(shrink_key(p, v), std::make_shared<FactorizedReduceImpl>(FactorizedReduceOptions(c, c)));
    }
  }
  if (project) store.add(make_key("c", p, ".proj_bn"), std::make_shared<BatchNormImpl>(BatchNormOptions(c)));
}

bool CellNetwork::runs_smaller(const spaces::ArchGraph& arch) const {
  if (arch.space.rfind(space_name_ + "(", 0) != 0 || arch.cells.size() != graph_cells_) return false;
  for (const CellGraph& graph : arch.cells) {
    if (static_cast<int>(spaces::output_vertex(graph)) > nodes_ + 2) return false;
    const Vertex out = spaces::output_vertex(graph);
    for (auto [it, end] = boost::edges(graph); it != end; ++it) {
      const std::string& op = graph[*it].op_name;
      if (boost::target(*it, graph) == out) continue;  // the concat's edges carry no op
      if (std::find(op_functions_.begin(), op_functions_.end(), op) == op_functions_.end()) return false;
    }
  }
  return true;
}

void CellNetwork::declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const {
  if (fixed_arc_ && only == nullptr) {
    throw std::invalid_argument("the fixed-arc form builds one architecture's standalone network, not a shared store");
  }
  std::vector<CellPlan> fixed_arc_plan;
  const std::vector<CellPlan>& plan = only == nullptr ? plan_ : plan_for(*only, fixed_arc_plan);
  store.add("stem", std::make_shared<StemImpl>(
                        StemOptions(options_.input_channels(), options_.stem_multiplier() * options_.channels())));
  for (const CellPlan& cell : plan) {
    declare_cell(store, cell, only == nullptr ? nullptr : &only->cells.at(static_cast<std::size_t>(cell.graph_cell)));
  }
  if (options_.auxiliary()) {
    if (aux_after_ >= static_cast<int>(plan.size())) {
      throw std::invalid_argument("an auxiliary head needs a cell after the second reduction (cells_per_stage >= 1)");
    }
    const CellPlan& read = plan[static_cast<std::size_t>(aux_after_)];
    store.add("aux", std::make_shared<AuxiliaryHeadImpl>(AuxiliaryHeadOptions(read.out_channels, options_.num_classes())
                                                             .enas_form(fixed_arc_)
                                                             .input_size(read.out_size)));
  }
  store.add("classifier",
            std::make_shared<ClassifierImpl>(ClassifierOptions(plan.back().out_channels, options_.num_classes())
                                                 .dropout(options_.dropout())
                                                 .bias(!fixed_arc_)));
}

torch::Tensor CellNetwork::run_cell(ParameterStoreImpl& store, const CellPlan& cell, const CellGraph& graph,
                                    const torch::Tensor& in0, const torch::Tensor& in1, double drop_path_prob) const {
  const int p = cell.position;
  std::vector<torch::Tensor> states(static_cast<std::size_t>(nodes_ + 2));
  states[0] = store.contains(pre_key(p, 0)) ? store.get<CellOpImpl>(pre_key(p, 0)).forward(in0) : in0;
  states[1] = store.contains(pre_key(p, 1)) ? store.get<CellOpImpl>(pre_key(p, 1)).forward(in1) : in1;
  if (fixed_arc_) states[1] = store.get<CellOpImpl>(base_key(p)).forward(states[1]);
  const bool training = store.is_training();
  // relu(state), computed once per state however many ops start with a ReLU.
  std::vector<torch::Tensor> activated(states.size());
  auto activated_state = [&](std::size_t v) -> const torch::Tensor& {
    if (!activated[v].defined()) activated[v] = torch::relu(states[v]);
    return activated[v];
  };
  // Nodes 2 .. output - 1: the graph's own, which a smaller cell has fewer of.
  for (Vertex v = 2; v < spaces::output_vertex(graph); ++v) {
    std::vector<torch::Tensor> terms;
    for (const auto& e : spaces::inputs_by_slot(graph, v)) {
      const auto input = static_cast<std::size_t>(boost::source(e, graph));
      const std::string& op = graph[e].op_name;
      const std::int64_t stride = cell.strided && input < 2 ? 2 : 1;
      CellOpImpl* module =
          op_has_weights(op, stride)
              ? &store.get<CellOpImpl>(edge_key(p, static_cast<int>(v), graph[e].slot, static_cast<int>(input), op))
              : &weight_free_->at(op, stride);
      // ENAS's fixed-arc stride-2 identity is a factorized reduction of the state itself, no ReLU first.
      const bool unactivated = fixed_arc_ && stride == 2 && is_identity_op(op);
      torch::Tensor y = unactivated                  ? module->forward_activated(states[input])
                        : module->starts_with_relu() ? module->forward_activated(activated_state(input))
                                                     : module->forward(states[input]);
      if (training && module->droppable()) y = drop_path(y, drop_path_prob);
      terms.push_back(y);
    }
    states[v] = sum_all(terms);
  }
  std::vector<torch::Tensor> parts;
  std::vector<torch::Tensor> weights;
  const Vertex out = spaces::output_vertex(graph);
  for (const auto& e : spaces::inputs_by_slot(graph, out)) {
    const auto v = static_cast<std::size_t>(boost::source(e, graph));
    const bool shrink = cell.strided && v < 2;
    if (fixed_arc_) {  // a loose input at twice the resolution: factorized-reduced, no ReLU first
      parts.push_back(shrink ? store.get<CellOpImpl>(shrink_key(p, static_cast<int>(v))).forward_activated(states[v])
                             : states[v]);
      continue;
    }
    if (!project_output_) {
      parts.push_back(states[v]);
      continue;
    }
    // The projection reads ReLU(concat) = concat of the activated parts.
    parts.push_back(shrink ? torch::relu(store.get<CellOpImpl>(shrink_key(p, static_cast<int>(v))).forward(states[v]))
                           : activated_state(v));
    weights.push_back(store.get<torch::nn::Conv2dImpl>(proj_key(p, static_cast<int>(v))).weight);
  }
  torch::Tensor concat = parts.size() == 1 ? parts[0] : torch::cat(parts, 1);
  if (!project_output_ || fixed_arc_) return concat;
  // One 1x1 conv over the concat whose weight is the loose ends' slices side by side.
  const torch::Tensor weight = weights.size() == 1 ? weights[0] : torch::cat(weights, 1);
  torch::Tensor projected = torch::conv2d(concat, weight);
  MacCounter::add(projected.numel() * weight.size(1));
  return store.get<BatchNormImpl>(make_key("c", p, ".proj_bn")).forward(projected);
}

ChildOutput CellNetwork::forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                                 double drop_path_prob) const {
  ChildOutput output;
  torch::Tensor stem = store.get<StemImpl>("stem").forward(x);
  torch::Tensor prev_prev = stem, prev = stem;
  std::vector<CellPlan> fixed_arc_plan;
  const std::vector<CellPlan>& plan = plan_for(arch, fixed_arc_plan);
  for (const CellPlan& cell : plan) {
    const auto& graph = arch.cells.at(static_cast<std::size_t>(cell.graph_cell));
    // ENAS's fixed arc scales drop-path with depth (micro_child.py:196-207): cell i of n drops at p (i+1)/n.
    const double cell_drop_path =
        fixed_arc_ ? drop_path_prob * double(cell.position + 1) / double(plan.size()) : drop_path_prob;
    torch::Tensor next;
    if (cell.reduce_input) {
      const torch::Tensor reduced = store.get<CellOpImpl>(reduce_input_key(cell.position)).forward(prev);
      next = run_cell(store, cell, graph, prev, reduced, cell_drop_path);
    } else {
      next = run_cell(store, cell, graph, prev_prev, prev, cell_drop_path);
    }
    prev_prev = prev;
    prev = next;
    if (cell.position == aux_after_ && options_.auxiliary() && store.is_training()) {
      output.aux_logits = store.get<AuxiliaryHeadImpl>("aux").forward(prev);
    }
  }
  output.logits = store.get<ClassifierImpl>("classifier").forward(prev);
  return output;
}

}  // namespace childnets
