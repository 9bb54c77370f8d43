#pragma once
// NetworkFamily: how the networks of one kind of space are built over a
// ParameterStore. Six families cover the registered spaces: stacked cells
// (enas_micro, nao, pnas, darts), the ENAS macro layer stack, GeNet stages,
// SPOS's ShuffleNetV2 choice layers, FBNet's searched layers and the
// hyper-spaces' sequential networks. A family is stateless after
// construction: the store holds every weight, the ArchGraph of each call
// says which of them run.

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

class LayerwiseFamily;

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

  // The family as a chain of searched layers (LayerwiseFamily), or nullptr
  // when its cost does not decompose by layer (cells with loose ends).
  virtual const LayerwiseFamily* layerwise() const { return nullptr; }
};

// A family whose network is a fixed stem, a chain of searched layers, each
// running one candidate the architecture chose, and a fixed head (SPOS's
// choice layers; FBNet's): what FBNet's latency lookup table times layer
// by layer (childnets/latency_table.h). stem(), layer() and head() chained
// compute what NetworkFamily::forward computes (eval mode).
class LayerwiseFamily {
 public:
  virtual ~LayerwiseFamily() = default;
  virtual int num_searched_layers() const = 0;
  // Every candidate of `layer`, each as a key of small integers (SPOS:
  // {block, width multiplier x 10}).
  virtual std::vector<std::vector<std::int64_t>> layer_candidates(int layer) const = 0;
  // The candidate `arch` chose at `layer`, as layer_candidates() keys it.
  virtual std::vector<std::int64_t> chosen_candidate(const spaces::ArchGraph& arch, int layer) const = 0;
  // x [batch, channels, size, size] -> the first searched layer's input.
  virtual torch::Tensor stem(ParameterStoreImpl& store, const torch::Tensor& x) const = 0;
  // Candidate `key` of `layer` on its input. Throws std::invalid_argument
  // for a key layer_candidates() does not list.
  virtual torch::Tensor layer(ParameterStoreImpl& store, int layer, const std::vector<std::int64_t>& key,
                              const torch::Tensor& x) const = 0;
  // The last searched layer's output -> logits [batch, classes].
  virtual torch::Tensor head(ParameterStoreImpl& store, const torch::Tensor& x) const = 0;
};

// Throws std::invalid_argument for a space no family builds, or options
// that make no network (too many reductions for the image size).
std::unique_ptr<NetworkFamily> make_network_family(const spaces::SpacePtr& space, const NetworkOptions& options);
// Whether a store of every architecture of the space exists
// (make_shared_store): false for the hyper-spaces, whose networks are each
// built for one architecture (trials only).
bool has_shared_store(const spaces::SearchSpace& space);

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
