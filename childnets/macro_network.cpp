#include "childnets/macro_network.h"

#include <algorithm>
#include <stdexcept>

#include "spaces/enas_macro_space.h"

namespace childnets {
namespace {

std::string layer_key(int layer, const std::string& op) { return make_key("l", layer, ".", op); }
std::string pool_key(int layer, int vertex) { return make_key("pool", layer, ".v", vertex); }

// ENAS's fixed-arc kernel of a macro op (general_child.py:390-392, size = [3, 3, 5, 5]): the
// separable ops of the search are full convolutions there, and pools have no fixed form.
std::int64_t fixed_arc_kernel(const std::string& op) {
  if (op == "conv_3x3" || op == "sep_conv_3x3") return 3;
  if (op == "conv_5x5" || op == "sep_conv_5x5") return 5;
  throw std::invalid_argument("ENAS's fixed-arc macro network has no form for op " + op +
                              " (general_child.py:406-409 builds nothing for pools)");
}

// The op edge of a layer (its input from the previous layer) and its skip inputs, in vertex order.
struct LayerInputs {
  spaces::CellGraph::edge_descriptor op;
  std::vector<std::size_t> skips;
};
LayerInputs layer_inputs(const spaces::CellGraph& graph, spaces::Vertex vertex) {
  LayerInputs inputs;
  for (const auto& e : spaces::inputs_by_slot(graph, vertex)) {
    if (graph[e].op < 0) {
      inputs.skips.push_back(static_cast<std::size_t>(boost::source(e, graph)));
    } else {
      inputs.op = e;
    }
  }
  std::sort(inputs.skips.begin(), inputs.skips.end());
  return inputs;
}

}  // namespace

MacroNetwork::MacroNetwork(const spaces::SpacePtr& space, const NetworkOptions& options)
    : options_(options), fixed_arc_(options.fixed_arc_form()) {
  if (fixed_arc_ && options.auxiliary()) {
    throw std::invalid_argument(
        "ENAS's fixed-arc macro network has no auxiliary head (general_child.py takes no use_aux_heads): set "
        "network.auxiliary=false, or network.form=search for the search-time network with one");
  }
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
  if (fixed_arc_) {
    if (only == nullptr) {
      throw std::invalid_argument(
          "the fixed-arc form builds one architecture's standalone network, not a shared store");
    }
    declare_fixed_arc(store, only->cells.at(0));
    return;
  }
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

void MacroNetwork::declare_fixed_arc(ParameterStoreImpl& store, const spaces::CellGraph& graph) const {
  for (int layer = 0; layer < layers_; ++layer) {
    const std::int64_t c = channels_[static_cast<std::size_t>(layer + 1)];
    const LayerInputs inputs = layer_inputs(graph, static_cast<spaces::Vertex>(layer + 1));
    const std::int64_t kernel = fixed_arc_kernel(graph[inputs.op].op_name);
    // Every input is c wide: the stem is, and a pool widens every earlier output with the layers.
    store.add(layer_key(layer, "in"), std::make_shared<ReluConvBnImpl>(ReluConvBnOptions(c, c, 1)));
    store.add(layer_key(layer, "conv"), std::make_shared<ReluConvBnImpl>(ReluConvBnOptions(c, c, kernel)));
    if (layer > 0) {
      const auto parts = static_cast<std::int64_t>(inputs.skips.size() + 1);
      store.add(layer_key(layer, "skip"), std::make_shared<ReluConvBnImpl>(ReluConvBnOptions(parts * c, c, 1)));
    }
    if (pool_after(layer)) {
      for (int v = 0; v <= layer + 1; ++v) {
        store.add(pool_key(layer, v), std::make_shared<FactorizedReduceImpl>(FactorizedReduceOptions(c, 2 * c)));
      }
    }
  }
  store.add("classifier", std::make_shared<ClassifierImpl>(ClassifierOptions(channels_.back(), options_.num_classes())
                                                               .dropout(options_.dropout())
                                                               .relu_first(false)
                                                               .bias(false)));
}

ChildOutput MacroNetwork::forward_fixed_arc(ParameterStoreImpl& store, const torch::Tensor& x,
                                            const spaces::CellGraph& graph) const {
  std::vector<torch::Tensor> states;
  states.push_back(store.get<StemImpl>("stem").forward(x));
  for (int layer = 0; layer < layers_; ++layer) {
    const LayerInputs inputs = layer_inputs(graph, static_cast<spaces::Vertex>(layer + 1));
    torch::Tensor out = store.get<CellOpImpl>(layer_key(layer, "conv"))
                            .forward(store.get<CellOpImpl>(layer_key(layer, "in")).forward(states.back()));
    if (layer > 0) {  // the skips, then the op's output, concatenated and projected back to c
      std::vector<torch::Tensor> parts;
      for (std::size_t v : inputs.skips) parts.push_back(states[v]);
      parts.push_back(out);
      out = store.get<CellOpImpl>(layer_key(layer, "skip")).forward(torch::cat(parts, 1));
    }
    states.push_back(out);
    if (pool_after(layer)) {  // every output so far, whether read later or not; no ReLU first
      for (int v = 0; v <= layer + 1; ++v) {
        auto& state = states[static_cast<std::size_t>(v)];
        state = store.get<CellOpImpl>(pool_key(layer, v)).forward_activated(state);
      }
    }
  }
  ChildOutput output;
  output.logits = store.get<ClassifierImpl>("classifier").forward(states.back());
  return output;
}

ChildOutput MacroNetwork::forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                                  double drop_path_prob) const {
  const spaces::CellGraph& graph = arch.cells.at(0);
  if (fixed_arc_) return forward_fixed_arc(store, x, graph);
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
