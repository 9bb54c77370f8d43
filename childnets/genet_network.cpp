#include "childnets/genet_network.h"

#include <stdexcept>

#include "spaces/genet_space.h"

namespace childnets {
namespace {

namespace F = torch::nn::functional;

std::string node_key(int stage, int node) { return make_key("s", stage, ".n", node); }

}  // namespace

GenetNetwork::GenetNetwork(const spaces::SpacePtr& space, const NetworkOptions& options) : options_(options) {
  const auto* genet = dynamic_cast<const spaces::GenetSpace*>(space.get());
  if (genet == nullptr) throw std::invalid_argument("GenetNetwork needs the genet space, got " + space->name());
  nodes_ = genet->nodes_per_stage();
  std::int64_t size = options.image_size();
  for (std::size_t s = 1; s < nodes_.size(); ++s) size /= 2;
  if (size < 1) throw std::invalid_argument("image too small for " + std::to_string(nodes_.size()) + " GeNet stages");
}

void GenetNetwork::declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const {
  store.add("stem", std::make_shared<StemImpl>(StemOptions(options_.input_channels(), options_.channels())));
  std::int64_t in = options_.channels();
  for (int s = 0; s < static_cast<int>(nodes_.size()); ++s) {
    const std::int64_t c = options_.channels() << s;
    const int k = nodes_[static_cast<std::size_t>(s)];
    for (int node = 0; node <= k + 1; ++node) {
      bool used = only == nullptr;
      if (only != nullptr) {
        const auto& graph = only->cells.at(static_cast<std::size_t>(s));
        for (auto [it, end] = boost::vertices(graph); it != end; ++it) {
          used |= graph[*it].index == node && !graph[*it].node_op.empty();
        }
      }
      if (!used) continue;
      const std::int64_t from = node == 0 ? in : c;
      store.add(node_key(s, node), std::make_shared<ReluConvBnImpl>(ReluConvBnOptions(from, c, 3).relu_first(false)));
    }
    in = c;
  }
  store.add("classifier",
            std::make_shared<ClassifierImpl>(
                ClassifierOptions(in, options_.num_classes()).dropout(options_.dropout()).relu_first(false)));
}

ChildOutput GenetNetwork::forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                                  double /*drop_path: GeNet has no droppable paths*/) const {
  torch::Tensor current = store.get<StemImpl>("stem").forward(x);
  for (int s = 0; s < static_cast<int>(nodes_.size()); ++s) {
    if (s > 0) current = F::max_pool2d(current, F::MaxPool2dFuncOptions(2).stride(2));
    const auto& graph = arch.cells.at(static_cast<std::size_t>(s));
    std::vector<torch::Tensor> values(boost::num_vertices(graph));
    for (spaces::Vertex v = 0; v < boost::num_vertices(graph); ++v) {
      const spaces::NodeInfo& node = graph[v];
      if (node.kind == spaces::NodeKind::kCellInput) {
        values[v] = current;
        continue;
      }
      std::vector<torch::Tensor> terms;
      for (auto [it, end] = boost::in_edges(v, graph); it != end; ++it)
        terms.push_back(values[boost::source(*it, graph)]);
      torch::Tensor sum = sum_all(terms);
      values[v] = node.node_op.empty() ? sum : store.get<ReluConvBnImpl>(node_key(s, node.index)).forward(sum);
    }
    current = values.back();
  }
  return ChildOutput{store.get<ClassifierImpl>("classifier").forward(current), {}};
}

}  // namespace childnets
