#pragma once
// ChildNetwork: one child network over a ParameterStore, in two modes.
// - Shared (ENAS weight sharing): built over a store that holds the weights
//   of every architecture of the space (make_shared_store); each forward
//   call names the architecture. The network borrows the store and does not
//   register it, so it owns no weights; optimise store->parameters().
// - Standalone (final training): ChildNetworkImpl::standalone builds a fresh
//   store with the modules of one architecture only and owns it.
// Both modes run the same code over the same keys, so a standalone network
// given a shared store's weights (copy_matching_from) computes the same function.

#include <torch/torch.h>

#include "childnets/network_family.h"
#include "childnets/network_options.h"
#include "childnets/parameter_store.h"
#include "spaces/search_space.h"

namespace childnets {

// A store with the modules of every architecture of `space`.
ParameterStore make_shared_store(const spaces::SpacePtr& space, const NetworkOptions& options);

class ChildNetworkImpl : public torch::nn::Module {
 public:
  // Shared mode over `store` (which must come from make_shared_store with the same space and options).
  ChildNetworkImpl(spaces::SpacePtr space, NetworkOptions options, ParameterStore store);
  // Shared mode with a family of the caller's choice (the supernet of supernet.h).
  ChildNetworkImpl(spaces::SpacePtr space, NetworkOptions options, ParameterStore store,
                   std::unique_ptr<NetworkFamily> family);
  // Standalone mode: a fresh network for `arch`, owning its weights.
  static std::shared_ptr<ChildNetworkImpl> standalone(spaces::SpacePtr space, NetworkOptions options,
                                                      const spaces::Arch& arch);

  // Runs `graph` (shared mode: any architecture of the space, or a smaller
  // cell of it (NetworkFamily::runs_smaller); standalone: its own).
  ChildOutput forward(const torch::Tensor& x, const spaces::ArchGraph& graph, double drop_path = 0.0);
  // Standalone mode only: runs the fixed architecture.
  ChildOutput forward(const torch::Tensor& x, double drop_path = 0.0);
  // The relaxed graph of a supernet (NetworkFamily::forward_mixed): x
  // [batch, channels, size, size], edge_weights one [edges, ops] tensor per
  // cell type. Throws std::logic_error on a network without one.
  ChildOutput forward_mixed(const torch::Tensor& x, const std::vector<torch::Tensor>& edge_weights);

  ParameterStore store() const { return store_; }
  const spaces::SpacePtr& space() const { return space_; }
  const NetworkOptions& options() const { return options_; }
  bool is_standalone() const { return fixed_.has_value(); }
  // The parameters this network trains: its own (standalone) or the store's (shared).
  std::vector<torch::Tensor> trainable_parameters() const { return store_->parameters(); }

 private:
  spaces::SpacePtr space_;
  NetworkOptions options_;
  std::unique_ptr<NetworkFamily> family_;
  ParameterStore store_;
  std::optional<spaces::ArchGraph> fixed_;
};
TORCH_MODULE(ChildNetwork);

// What the network of one architecture costs.
struct NetworkCost {
  std::int64_t parameters = 0;           // without the auxiliary head
  std::int64_t parameters_with_aux = 0;  // equal to `parameters` when options.auxiliary() is false
  std::int64_t macs_per_image = 0;       // multiply-accumulates of one inference forward pass
};
// Builds the standalone network of `arch` and counts; leaves libtorch's
// default generator as it found it (the weights it draws are thrown away).
NetworkCost measure_network(const spaces::SpacePtr& space, const NetworkOptions& options, const spaces::Arch& arch);

}  // namespace childnets
