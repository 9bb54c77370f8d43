#include "childnets/child_network.h"

#include "childnets/default_generator_guard.h"

#include <ATen/CPUGeneratorImpl.h>

namespace childnets {

ParameterStore make_shared_store(const spaces::SpacePtr& space, const NetworkOptions& options) {
  ParameterStore store;
  make_network_family(space, options)->declare(*store, nullptr);
  use_channels_last(*store);
  return store;
}

ChildNetworkImpl::ChildNetworkImpl(spaces::SpacePtr space, NetworkOptions options, ParameterStore store)
    : space_(std::move(space)),
      options_(options),
      family_(make_network_family(space_, options_)),
      store_(std::move(store)) {}

ChildNetworkImpl::ChildNetworkImpl(spaces::SpacePtr space, NetworkOptions options, ParameterStore store,
                                   std::unique_ptr<NetworkFamily> family)
    : space_(std::move(space)), options_(options), family_(std::move(family)), store_(std::move(store)) {}

std::shared_ptr<ChildNetworkImpl> ChildNetworkImpl::standalone(spaces::SpacePtr space, NetworkOptions options,
                                                               const spaces::Arch& arch) {
  const spaces::ArchGraph graph = space->decode(arch);
  ParameterStore store;
  make_network_family(space, options)->declare(*store, &graph);
  auto network = std::make_shared<ChildNetworkImpl>(std::move(space), options, store);
  network->register_module("store", store);
  network->fixed_ = graph;
  use_channels_last(*network);
  return network;
}

ChildOutput ChildNetworkImpl::forward(const torch::Tensor& x, const spaces::ArchGraph& graph, double drop_path) {
  if (graph.space != space_->spec() && !family_->runs_smaller(graph)) {
    throw std::invalid_argument("child network of space " + space_->spec() + " given an architecture of " +
                                graph.space);
  }
  if (store_->is_training() != is_training()) store_->train(is_training());
  return family_->forward(*store_, x, graph, drop_path);
}

ChildOutput ChildNetworkImpl::forward_mixed(const torch::Tensor& x, const std::vector<torch::Tensor>& edge_weights) {
  if (store_->is_training() != is_training()) store_->train(is_training());
  return family_->forward_mixed(*store_, x, edge_weights);
}

ChildOutput ChildNetworkImpl::forward(const torch::Tensor& x, double drop_path) {
  if (!fixed_) throw std::logic_error("forward without an architecture needs a standalone network");
  return forward(x, *fixed_, drop_path);
}

NetworkCost measure_network(const spaces::SpacePtr& space, const NetworkOptions& options, const spaces::Arch& arch) {
  NetworkCost cost;
  std::shared_ptr<ChildNetworkImpl> network;
  {
    const DefaultGeneratorGuard keep;  // the weights it draws are thrown away
    network = ChildNetworkImpl::standalone(space, options, arch);
  }
  for (const auto& item : network->store()->named_parameters()) {
    const bool aux = item.key().rfind("aux", 0) == 0;
    cost.parameters_with_aux += item.value().numel();
    if (!aux) cost.parameters += item.value().numel();
  }
  network->eval();
  torch::InferenceMode inference;
  MacCounter counter;
  network->forward(torch::zeros({1, options.input_channels(), options.image_size(), options.image_size()}));
  cost.macs_per_image = counter.macs();
  return cost;
}

}  // namespace childnets
