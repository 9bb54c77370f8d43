#include "childnets/supernet.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "childnets/fbnet_network.h"
#include "spaces/cell_space.h"
#include "spaces/fbnet_space.h"

namespace childnets {
namespace {

using spaces::CellGraph;
using spaces::Vertex;

std::string edge_key(int position, int node_vertex, int input, const std::string& op) {
  return make_key("c", position, ".n", node_vertex, ".i", input, ".", op);
}
std::string pre_key(int position, int input) { return make_key("c", position, ".pre", input); }

// A pool followed by a batch norm without affine parameters: DARTS's
// search-time pooling op (model_search.py MixedOp).
class PoolThenBatchNormImpl : public CellOpImpl {
 public:
  PoolThenBatchNormImpl(bool average, std::int64_t channels, std::int64_t stride)
      : pool(PoolOptions(average).kernel(3).stride(stride)) {
    bn = register_module("bn", BatchNorm(BatchNormOptions(channels).affine(false)));
  }
  torch::Tensor forward(const torch::Tensor& x) override { return bn(pool.forward(x)); }
  torch::Tensor forward_scaled(const torch::Tensor& x, const torch::Tensor& scale,
                               const torch::Tensor& added) override {
    return bn->forward_scaled(pool.forward(x), scale, added);
  }
  PoolImpl pool;
  BatchNorm bn{nullptr};
};

std::shared_ptr<CellOpImpl> make_search_op(const std::string& op, std::int64_t channels, std::int64_t stride) {
  if (op == "max_pool_3x3" || op == "avg_pool_3x3") {
    return std::make_shared<PoolThenBatchNormImpl>(op == "avg_pool_3x3", channels, stride);
  }
  return make_cell_op(op, channels, stride, /*affine=*/false);
}

const spaces::CellSpace& relaxable(const spaces::SearchSpace& space) {
  const auto* cells = dynamic_cast<const spaces::CellSpace*>(&space);
  if (cells == nullptr || !has_supernet(space)) {
    throw std::invalid_argument("no supernet relaxes space " + space.spec() + " (differentiable search: darts)");
  }
  return *cells;
}

}  // namespace

bool has_supernet(const spaces::SearchSpace& space) {
  if (dynamic_cast<const spaces::FbnetSpace*>(&space) != nullptr) return true;
  const auto* cells = dynamic_cast<const spaces::CellSpace*>(&space);
  return cells != nullptr && cells->layout().output == spaces::OutputRule::kAllNodes &&
         cells->layout().order == spaces::TokenOrder::kInputOpInputOp && cells->layout().cells.size() == 2;
}

MixedCellNetwork::MixedCellNetwork(const spaces::SpacePtr& space, const NetworkOptions& options,
                                   std::vector<std::string> candidate_ops)
    : options_(options), candidate_ops_(std::move(candidate_ops)) {
  const spaces::CellSpace& cells = relaxable(*space);
  nodes_ = cells.layout().nodes;
  edges_ = cells.layout().candidate_edges();
  for (const std::string& op : space->op_names()) {
    if (std::find(candidate_ops_.begin(), candidate_ops_.end(), op) == candidate_ops_.end()) {
      throw std::invalid_argument("supernet: the space's op '" + op + "' is not among the candidate ops");
    }
  }
  NetworkOptions strided = options;
  strided.factorized_reductions(false);  // DARTS's reduction cells run their input edges at stride 2
  plan_ = plan_cell_stack(strided, {nodes_, nodes_}, 2);
}

void MixedCellNetwork::declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const {
  if (only != nullptr) throw std::logic_error("a supernet holds every edge; it has no single-architecture form");
  store.add("stem", std::make_shared<StemImpl>(
                        StemOptions(options_.input_channels(), options_.stem_multiplier() * options_.channels())));
  for (const CellPlan& cell : plan_) {
    const int p = cell.position;
    const std::int64_t c = cell.channels;
    // s0: a factorized reduction when the cell before was a reduction (its input is twice as large).
    if (cell.in0_size != cell.in1_size) {
      store.add(pre_key(p, 0),
                std::make_shared<FactorizedReduceImpl>(FactorizedReduceOptions(cell.in0_channels, c).affine(false)));
    } else {
      store.add(pre_key(p, 0),
                std::make_shared<ReluConvBnImpl>(ReluConvBnOptions(cell.in0_channels, c, 1).affine(false)));
    }
    store.add(pre_key(p, 1),
              std::make_shared<ReluConvBnImpl>(ReluConvBnOptions(cell.in1_channels, c, 1).affine(false)));
    for (int node = 0; node < nodes_; ++node) {
      for (int input = 0; input < node + 2; ++input) {
        const std::int64_t stride = cell.strided && input < 2 ? 2 : 1;
        for (const std::string& op : candidate_ops_) {
          if (op == "none" || (op == "skip_connect" && stride == 1)) continue;  // nothing to hold
          store.add(edge_key(p, node + 2, input, op), make_search_op(op, c, stride));
        }
      }
    }
  }
  store.add("classifier", std::make_shared<ClassifierImpl>(
                              ClassifierOptions(plan_.back().out_channels, options_.num_classes()).relu_first(false)));
}

torch::Tensor MixedCellNetwork::run_cell(
    ParameterStoreImpl& store, const CellPlan& cell, const torch::Tensor& in0, const torch::Tensor& in1,
    const std::function<EdgeTerms(int node, int input, int edge)>& edge_terms) const {
  const int p = cell.position;
  std::vector<torch::Tensor> states = {store.get<CellOpImpl>(pre_key(p, 0)).forward(in0),
                                       store.get<CellOpImpl>(pre_key(p, 1)).forward(in1)};
  std::vector<torch::Tensor> activated(static_cast<std::size_t>(nodes_ + 2));
  int edge = 0;
  for (int node = 0; node < nodes_; ++node) {
    torch::Tensor sum;
    for (int input = 0; input < node + 2; ++input, ++edge) {
      const auto i = static_cast<std::size_t>(input);
      const std::int64_t stride = cell.strided && input < 2 ? 2 : 1;
      for (const auto& [op_index, weight] : edge_terms(node, input, edge)) {
        const std::string& op = candidate_ops_[op_index];
        if (op == "none") continue;  // zero: contributes nothing
        // sum + weight * op(state): the weight and the sum folded into the op's last batch norm where it has one.
        if (op == "skip_connect" && stride == 1) {
          const torch::Tensor& x = states[i];
          sum = !weight.defined() ? (sum.defined() ? sum + x : x)
                                  : (sum.defined() ? torch::addcmul(sum, x, weight) : x * weight);
          continue;
        }
        CellOpImpl& module = store.get<CellOpImpl>(edge_key(p, node + 2, input, op));
        const bool relu_first = module.starts_with_relu();
        if (relu_first && !activated[i].defined()) activated[i] = torch::relu(states[i]);
        if (weight.defined()) {
          sum = relu_first ? module.forward_activated_scaled(activated[i], weight, sum)
                           : module.forward_scaled(states[i], weight, sum);
        } else {
          const torch::Tensor y = relu_first ? module.forward_activated(activated[i]) : module.forward(states[i]);
          sum = sum.defined() ? sum + y : y;
        }
      }
    }
    if (!sum.defined()) throw std::invalid_argument("supernet: node " + std::to_string(node) + " has no input");
    states.push_back(sum);
  }
  return torch::cat(std::vector<torch::Tensor>(states.begin() + 2, states.end()), 1);
}

ChildOutput MixedCellNetwork::forward_mixed(ParameterStoreImpl& store, const torch::Tensor& x,
                                            const std::vector<torch::Tensor>& edge_weights) const {
  const auto ops = static_cast<std::int64_t>(candidate_ops_.size());
  if (edge_weights.size() != 2) throw std::invalid_argument("supernet: edge weights for 2 cell types expected");
  for (const torch::Tensor& w : edge_weights) {
    if (w.dim() != 2 || w.size(0) != edges_ || w.size(1) != ops) {
      throw std::invalid_argument("supernet: edge weights must be [" + std::to_string(edges_) + ", " +
                                  std::to_string(ops) + "], got " + c10::str(w.sizes()));
    }
  }
  // The rows of each cell type's weights, split once per forward.
  std::vector<std::vector<torch::Tensor>> rows(2);
  for (std::size_t t = 0; t < 2; ++t) {
    const std::vector<torch::Tensor> split = edge_weights[t].unbind(0);
    for (const torch::Tensor& row : split) rows[t].push_back(row);
  }
  std::vector<std::vector<EdgeTerms>> terms(2, std::vector<EdgeTerms>(static_cast<std::size_t>(edges_)));
  for (std::size_t t = 0; t < 2; ++t) {
    for (std::size_t e = 0; e < terms[t].size(); ++e) {
      const std::vector<torch::Tensor> weights = rows[t][e].unbind(0);
      for (std::size_t k = 0; k < weights.size(); ++k) terms[t][e].emplace_back(k, weights[k]);
    }
  }
  ChildOutput output;
  torch::Tensor prev_prev = store.get<StemImpl>("stem").forward(x), prev = prev_prev;
  for (const CellPlan& cell : plan_) {
    const auto& cell_terms = terms[static_cast<std::size_t>(cell.graph_cell)];
    torch::Tensor next = run_cell(store, cell, prev_prev, prev,
                                  [&](int, int, int edge) { return cell_terms[static_cast<std::size_t>(edge)]; });
    prev_prev = prev;
    prev = next;
  }
  output.logits = store.get<ClassifierImpl>("classifier").forward(prev);
  return output;
}

ChildOutput MixedCellNetwork::forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                                      double /*drop_path*/) const {
  if (arch.cells.size() != 2) throw std::invalid_argument("supernet: an architecture of two cells expected");
  // Per cell type and (node vertex, input): the candidate op indices of the graph's edges there.
  std::vector<std::map<std::pair<int, int>, EdgeTerms>> edges(2);
  for (std::size_t t = 0; t < 2; ++t) {
    const CellGraph& graph = arch.cells[t];
    for (Vertex v = 2; v < spaces::output_vertex(graph); ++v) {
      for (const auto& e : spaces::inputs_by_slot(graph, v)) {
        const auto it = std::find(candidate_ops_.begin(), candidate_ops_.end(), graph[e].op_name);
        if (it == candidate_ops_.end()) {
          throw std::invalid_argument("supernet: op '" + graph[e].op_name + "' is not a candidate op");
        }
        edges[t][{static_cast<int>(v), static_cast<int>(boost::source(e, graph))}].emplace_back(
            static_cast<std::size_t>(it - candidate_ops_.begin()), torch::Tensor());
      }
    }
  }
  ChildOutput output;
  torch::Tensor prev_prev = store.get<StemImpl>("stem").forward(x), prev = prev_prev;
  for (const CellPlan& cell : plan_) {
    const auto& cell_edges = edges[static_cast<std::size_t>(cell.graph_cell)];
    torch::Tensor next = run_cell(store, cell, prev_prev, prev, [&](int node, int input, int) {
      const auto it = cell_edges.find({node + 2, input});
      return it == cell_edges.end() ? EdgeTerms{} : it->second;
    });
    prev_prev = prev;
    prev = next;
  }
  output.logits = store.get<ClassifierImpl>("classifier").forward(prev);
  return output;
}

namespace {

// FBNet's supernet is its network family over a store of every block; its
// MixedOp's columns are the space's blocks, in token order.
bool is_fbnet(const spaces::SpacePtr& space, const std::vector<std::string>& candidate_ops) {
  if (dynamic_cast<const spaces::FbnetSpace*>(space.get()) == nullptr) return false;
  if (candidate_ops != spaces::FbnetSpace::block_names()) {
    throw std::invalid_argument("fbnet supernet: the candidate ops must be the space's nine blocks in token order");
  }
  return true;
}

}  // namespace

ParameterStore make_supernet_store(const spaces::SpacePtr& space, const NetworkOptions& options,
                                   const std::vector<std::string>& candidate_ops) {
  if (is_fbnet(space, candidate_ops)) return make_shared_store(space, options);
  ParameterStore store;
  MixedCellNetwork(space, options, candidate_ops).declare(*store, nullptr);
  use_channels_last(*store);
  return store;
}

ChildNetwork make_supernet(const spaces::SpacePtr& space, const NetworkOptions& options,
                           const std::vector<std::string>& candidate_ops, ParameterStore store) {
  if (is_fbnet(space, candidate_ops)) {
    return ChildNetwork(space, options, std::move(store), std::make_unique<FbnetNetwork>(space, options));
  }
  return ChildNetwork(space, options, std::move(store),
                      std::make_unique<MixedCellNetwork>(space, options, candidate_ops));
}

}  // namespace childnets
