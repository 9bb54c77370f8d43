#pragma once
// NetworkFamily: how the networks of one kind of space are built over a
// ParameterStore. Four families cover the registered spaces: stacked cells
// (enas_micro, nao, pnas, darts), the ENAS macro layer stack, GeNet stages
// and SPOS's ShuffleNetV2 choice layers. A family is stateless after construction: the store holds every
// weight, the ArchGraph of each call says which of them run.

#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "childnets/network_options.h"
#include "childnets/parameter_store.h"
#include "spaces/cell_graph.h"
#include "spaces/search_space.h"

namespace childnets {

struct ChildOutput {
  torch::Tensor logits;      // [batch, classes]
  torch::Tensor aux_logits;  // [batch, classes], or undefined without an auxiliary head / in eval mode
};

class NetworkFamily {
 public:
  virtual ~NetworkFamily() = default;

  // Adds the modules of every architecture of the space (only == nullptr),
  // or of one architecture, to `store`.
  virtual void declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const = 0;

  // Runs `arch` on x ([batch, channels, size, size]) with weights from
  // `store`. drop_path applies in training mode only.
  virtual ChildOutput forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                              double drop_path) const = 0;

  // Runs the relaxed graph (differentiable families, supernet.h): every
  // edge the weighted sum of its candidate ops, `edge_weights` one [edges,
  // ops] tensor per cell type. Other families throw std::logic_error.
  virtual ChildOutput forward_mixed(ParameterStoreImpl& store, const torch::Tensor& x,
                                    const std::vector<torch::Tensor>& edge_weights) const;

  // Whether `arch`, from another space than the family's, still runs on its
  // store: cell spaces accept cells of the same space with fewer nodes over
  // the same ops (PNAS evaluates b-block cells on the B-block store).
  virtual bool runs_smaller(const spaces::ArchGraph& arch) const {
    (void)arch;
    return false;
  }
};

// Throws std::invalid_argument for a space no family builds, or options
// that make no network (too many reductions for the image size).
std::unique_ptr<NetworkFamily> make_network_family(const spaces::SpacePtr& space, const NetworkOptions& options);

// The ops without weights (pools, identity, none) of a space, built once
// per stride when a network is built: the forward pass looks them up
// instead of constructing a module (and matching its name) per edge per step.
class WeightFreeOps {
 public:
  WeightFreeOps(const std::vector<std::string>& ops, const std::vector<std::int64_t>& strides);
  // Throws std::out_of_range for an op that has weights at this stride.
  CellOpImpl& at(const std::string& op, std::int64_t stride) const;

 private:
  std::map<std::pair<std::string, std::int64_t>, std::shared_ptr<CellOpImpl>> ops_;
};

// Builds a store key from parts: make_key("c", 3, ".n", 2) == "c3.n2".
inline void append_key_part(std::string& key, std::string_view part) { key.append(part); }
inline void append_key_part(std::string& key, std::int64_t part) { key.append(std::to_string(part)); }
template <class... Parts>
std::string make_key(const Parts&... parts) {
  std::string key;
  (append_key_part(key, parts), ...);
  return key;
}

// Sum of tensors; the first is not copied.
torch::Tensor sum_all(const std::vector<torch::Tensor>& terms);

}  // namespace childnets
