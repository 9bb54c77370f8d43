#pragma once
// ParameterStore: the one torch::nn::Module that owns every weight of a
// search. Weights live in op modules registered under structured keys (built by each NetworkFamily); a
// child network looks them up by key for the architecture of each forward
// call and owns nothing itself. Keys:
//   c3.n2.s1.i0.sep_conv_3x3  cell position 3, node 2, input slot 1, input 0, op
//   c3.pre0, c3.proj.v4, c3.proj_bn, stem, classifier, aux, l5.conv_3x3, ...
// so, as in ENAS, every candidate op of every node keeps separate weights
// for each input it may be given. Creation declares every module up front,
// so memory is known at the start of a search.
//
// Parameter-free ops (pools, identity at stride 1, none) are not stored:
// the network builds them on the fly.

#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "childnets/ops.h"

namespace childnets {

class ParameterStoreImpl : public torch::nn::Module {
 public:
  ParameterStoreImpl() = default;

  // Registers `module` under `key`; throws std::logic_error on a repeated key.
  void add(const std::string& key, std::shared_ptr<torch::nn::Module> module);
  bool contains(const std::string& key) const { return modules_.count(key) > 0; }

  // Typed lookup. Throws std::out_of_range naming the key when it is absent
  // (an architecture outside the space the store was built for) and
  // std::logic_error when it holds another type.
  template <class ModuleType>
  ModuleType& get(const std::string& key) const {
    auto* typed = dynamic_cast<ModuleType*>(&lookup(key));
    if (typed == nullptr) throw std::logic_error("parameter store: module '" + key + "' has another type");
    return *typed;
  }

  std::vector<std::string> keys() const;
  std::int64_t num_parameters() const;
  std::int64_t bytes() const;  // parameters and buffers

  // Copies every tensor of `other` whose key this store also has (for
  // building a standalone network from shared weights, and back); where
  // other's is wider (a channel-searching supernet's), its leading block
  // [:d0, :d1, ...], the slice the narrower architecture runs on. Throws
  // std::invalid_argument for a tensor of another rank or narrower there.
  void copy_matching_from(const ParameterStoreImpl& other);

 private:
  torch::nn::Module& lookup(const std::string& key) const;
  std::map<std::string, std::shared_ptr<torch::nn::Module>> modules_;
};
TORCH_MODULE(ParameterStore);

// Sets every gradient of `module` to undefined ("set to none"), so that an
// optimizer step moves only the weights the next backward pass reaches: no
// momentum or weight decay for ops off the sampled path.
void zero_grad_set_to_none(torch::nn::Module& module);

}  // namespace childnets
