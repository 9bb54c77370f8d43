#include "childnets/macro_network.h"

#include <algorithm>
#include <stdexcept>

#include "spaces/enas_macro_space.h"

namespace childnets {
namespace {

std::string layer_key(int layer, const std::string& op) { return make_key("l", layer, ".", op); }
std::string pool_key(int layer, int vertex) { return make_key("pool", layer, ".v", vertex); }

}  // namespace

MacroNetwork::MacroNetwork(const spaces::SpacePtr& space, const NetworkOptions& options) : options_(options) {
  const auto* macro = dynamic_cast<const spaces::EnasMacroSpace*>(space.get());
  if (macro == nullptr) throw std::invalid_argument("MacroNetwork needs the enas_macro space, got " + space->name());
  layers_ = macro->layers();
  ops_ = space->op_names();
  weight_free_ = std::make_unique<WeightFreeOps>(ops_, std::vector<std::int64_t>{1});
  const int distance = layers_ / 3;
  if (distance >= 1) pool_layers_ = {distance - 1, 2 * distance - 1};
  std::int64_t c = options.channels(), size = options.image_size();
  channels_.push_back(c);  // the stem
  for (int layer = 0; layer < layers_; ++layer) {
    channels_.push_back(c);
    if (pool_after(layer)) {
      c *= 2;
      size = (size + 1) / 2;
      if (size < 1) throw std::invalid_argument("image too small for the macro network's pools");
    }
  }
}

bool MacroNetwork::has_auxiliary_head() const { return options_.auxiliary() && pool_layers_.size() == 2; }

bool MacroNetwork::pool_after(int layer) const {
  return std::find(pool_layers_.begin(), pool_layers_.end(), layer) != pool_layers_.end();
}

std::vector<int> MacroNetwork::read_after(const spaces::CellGraph& graph, int layer) const {
  std::vector<int> read;
  for (int v = 0; v <= layer + 1; ++v) {
    bool later = false;
    for (auto [it, end] = boost::out_edges(static_cast<spaces::Vertex>(v), graph); it != end; ++it) {
      const auto target = static_cast<int>(boost::target(*it, graph));
      later |= target > layer + 1 && graph[boost::target(*it, graph)].kind == spaces::NodeKind::kIntermediate;
    }
    if (later) read.push_back(v);
  }
  return read;
}

void MacroNetwork::declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const {
  store.add("stem", std::make_shared<StemImpl>(StemOptions(options_.input_channels(), options_.channels())));
  const spaces::CellGraph* graph = only == nullptr ? nullptr : &only->cells.at(0);
  for (int layer = 0; layer < layers_; ++layer) {
    const std::int64_t c = channels_[static_cast<std::size_t>(layer + 1)];
    for (const auto& op : ops_) {
      bool used = graph == nullptr;
      if (graph != nullptr) {
        for (const auto& e : spaces::inputs_by_slot(*graph, static_cast<spaces::Vertex>(layer + 1))) {
          used |= (*graph)[e].op_name == op;
        }
      }
      if (used && op_has_weights(op, 1)) store.add(layer_key(layer, op), make_cell_op(op, c, 1));
    }
    store.add(layer_key(layer, "bn"), std::make_shared<BatchNormImpl>(BatchNormOptions(c)));
    if (pool_after(layer)) {
      std::vector<int> vertices;
      if (graph == nullptr) {
        for (int v = 0; v <= layer + 1; ++v) vertices.push_back(v);
      } else {
        vertices = read_after(*graph, layer);
      }
      for (int v : vertices)
        store.add(pool_key(layer, v), std::make_shared<FactorizedReduceImpl>(FactorizedReduceOptions(c, 2 * c)));
    }
  }
  if (has_auxiliary_head()) {
    store.add("aux", std::make_shared<AuxiliaryHeadImpl>(AuxiliaryHeadOptions(
                         channels_[static_cast<std::size_t>(pool_layers_[1] + 2)], options_.num_classes())));
  }
  // Pools follow layers L/3-1 and 2L/3-1, never the last layer.
  store.add("classifier", std::make_shared<ClassifierImpl>(
                              ClassifierOptions(channels_.back(), options_.num_classes()).dropout(options_.dropout())));
}

ChildOutput MacroNetwork::forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                                  double drop_path_prob) const {
  const spaces::CellGraph& graph = arch.cells.at(0);
  std::vector<torch::Tensor> states;
  states.push_back(store.get<StemImpl>("stem").forward(x));
  const bool training = store.is_training();
  ChildOutput output;
  for (int layer = 0; layer < layers_; ++layer) {
    const auto vertex = static_cast<spaces::Vertex>(layer + 1);
    std::vector<torch::Tensor> terms;
    for (const auto& e : spaces::inputs_by_slot(graph, vertex)) {
      const auto source = static_cast<std::size_t>(boost::source(e, graph));
      const std::string& op = graph[e].op_name;
      if (graph[e].op < 0) {  // a skip connection
        terms.push_back(states[source]);
        continue;
      }
      torch::Tensor y = op_has_weights(op, 1) ? store.get<CellOpImpl>(layer_key(layer, op)).forward(states[source])
                                              : weight_free_->at(op, 1).forward(states[source]);
      if (training) y = drop_path(y, drop_path_prob);
      terms.push_back(y);
    }
    states.push_back(store.get<BatchNormImpl>(layer_key(layer, "bn")).forward(sum_all(terms)));
    if (pool_after(layer)) {
      for (int v : read_after(graph, layer)) {
        states[static_cast<std::size_t>(v)] =
            store.get<CellOpImpl>(pool_key(layer, v)).forward(states[static_cast<std::size_t>(v)]);
      }
      if (training && has_auxiliary_head() && layer == pool_layers_[1]) {
        output.aux_logits = store.get<AuxiliaryHeadImpl>("aux").forward(states.back());
      }
    }
  }
  output.logits = store.get<ClassifierImpl>("classifier").forward(states.back());
  return output;
}

}  // namespace childnets
