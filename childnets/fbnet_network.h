#pragma once
// FbnetNetwork: the networks of the fbnet space (spaces/fbnet_space.h), and
// its stochastic supernet, as FBNet builds them (Wu et al. 2019;
// AnnaAraslanova/FBNet supernet_functions/model_supernet.py, facebook's
// fbnet_builder.py for the blocks):
//   stem     conv 3x3 (stride stem_stride) -> BN -> ReLU, stem_channels
//   layers   one block per searched layer, the first of a stage at the
//            stage's stride. An inverted-residual block k<k>_e<e>[_g2]:
//              1x1 (groups g) to in*e -> BN -> ReLU -> [channel shuffle
//              when g = 2] -> depthwise kxk at the stride -> BN -> ReLU ->
//              1x1 (groups g) to out -> BN, plus the input when the stride
//              is 1 and in = out.
//            skip: the input itself when stride 1 and in = out, else 1x1
//            at the stride -> BN -> ReLU (facebook's builder; JunrQ's code
//            offers no skip there instead).
//   head     1x1 to head_channels -> BN -> ReLU -> global average pool ->
//            dropout ([child] dropout) -> linear.
// Every batch norm is affine (FBNet's supernet keeps them; SPOS's does
// not). Convolutions are initialised kaiming-normal (fan out, ReLU gain),
// as facebook's builder does; the classifier is libtorch's default linear.
//
// Every layer declares all nine blocks (store keys "l<i>.<block>"), so one
// store serves as the supernet, and any architecture runs on it.
//
// The supernet's relaxed forward (forward_mixed): edge_weights is one
// [layers, 9] tensor m (FBNet: a Gumbel-softmax sample of θ); each layer's
// output is sum_i m[l, i] * block_i(x) over all nine blocks, the MixedOp of
// model_supernet.py:21-26 (the weight folded into each block's last batch
// norm).
//
// Input x: [batch, input_channels, size, size] (any size: every stride-2
// layer rounds up); output logits [batch, classes]. Throws
// std::invalid_argument (constructor) for another space.

#include "childnets/network_family.h"
#include "spaces/fbnet_space.h"

namespace childnets {

class FbnetNetwork : public NetworkFamily, public LayerwiseFamily {
 public:
  FbnetNetwork(const spaces::SpacePtr& space, const NetworkOptions& options);
  void declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const override;
  ChildOutput forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                      double drop_path) const override;
  // edge_weights: one [layers, 9] tensor (columns in block token order).
  // Throws std::invalid_argument for another count or shape.
  ChildOutput forward_mixed(ParameterStoreImpl& store, const torch::Tensor& x,
                            const std::vector<torch::Tensor>& edge_weights) const override;

  // Layer-wise: each searched layer, its candidates keyed {block token}.
  const LayerwiseFamily* layerwise() const override { return this; }
  int num_searched_layers() const override;
  std::vector<std::vector<std::int64_t>> layer_candidates(int layer) const override;
  std::vector<std::int64_t> chosen_candidate(const spaces::ArchGraph& arch, int layer) const override;
  torch::Tensor stem(ParameterStoreImpl& store, const torch::Tensor& x) const override;
  torch::Tensor layer(ParameterStoreImpl& store, int layer, const std::vector<std::int64_t>& key,
                      const torch::Tensor& x) const override;
  torch::Tensor head(ParameterStoreImpl& store, const torch::Tensor& x) const override;

 private:
  NetworkOptions options_;
  std::shared_ptr<const spaces::FbnetSpace> space_;
};

}  // namespace childnets
