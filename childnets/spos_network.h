#pragma once
// SposNetwork: the Single Path One-Shot network (spaces/spos_space.h), as
// megvii-model/SinglePathOneShot builds it (src/Supernet/network.py,
// blocks.py):
//   stem     conv 3x3 (stride stem_stride) -> BN -> ReLU, stem_channels
//   layers   one ShuffleNetV2 unit per choice layer, the first of each stage
//            at stride 2. A stride-1 unit splits its input's channels into
//            even and odd ones (SPOS's channel_shuffle): the even pass
//            through, the odd run the main branch, and the two are
//            concatenated. A stride-2 unit concatenates a projection of
//            its whole input (depthwise kxk stride 2 -> BN -> 1x1 -> BN ->
//            ReLU) with the main branch on it. Main branches, with mid =
//            (stage channels / 2) x the layer's width multiplier (Python's
//            int(), as SPOS's scale):
//              shuffle_kxk  1x1 -> BN -> ReLU -> depthwise kxk -> BN ->
//                           1x1 -> BN -> ReLU
//              xception     (depthwise 3x3 -> BN -> 1x1 -> BN -> ReLU) x 3,
//                           stride on the first depthwise
//            and output channels (stage channels - the unit's input half or
//            whole input).
//   head     1x1 to head_channels -> BN -> ReLU -> global average pool ->
//            dropout ([child] dropout; SPOS 0.1) -> linear without bias.
// Every layer declares all four blocks (store keys "l<i>.<block>"), each as
// wide as the space's widest multiplier; an architecture runs the first
// `mid` channels of its blocks' weights ([:c_out, :c_in] slices, and the
// batch norms' first channels), as the paper's channel search does.
//
// Batch norm: the supernet (declare with only == nullptr) has no affine
// parameters, as every BN of SPOS's supernet (affine=False); a network of
// one architecture (a trial, a final training, the parameter count) has
// them, as SPOS's evaluation network.
//
// Weights are initialised as SPOS's _initialize_weights: convolutions
// normal(0, 1 / input channels per group), the stem's and the linear
// layer's normal(0, 0.01).
//
// Input x: [batch, input_channels, size, size] (any size: every stride-2
// layer rounds up); output logits [batch, classes]. Throws
// std::invalid_argument (constructor) for another space.

#include "childnets/network_family.h"
#include "spaces/spos_space.h"

namespace childnets {

class SposNetwork : public NetworkFamily, public LayerwiseFamily {
 public:
  SposNetwork(const spaces::SpacePtr& space, const NetworkOptions& options);
  void declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const override;
  ChildOutput forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                      double drop_path) const override;

  // Layer-wise: each choice layer, its candidates keyed {block index, width
  // multiplier x 10} (10 without the channel search).
  const LayerwiseFamily* layerwise() const override { return this; }
  int num_searched_layers() const override;
  std::vector<std::vector<std::int64_t>> layer_candidates(int layer) const override;
  std::vector<std::int64_t> chosen_candidate(const spaces::ArchGraph& arch, int layer) const override;
  torch::Tensor stem(ParameterStoreImpl& store, const torch::Tensor& x) const override;
  torch::Tensor layer(ParameterStoreImpl& store, int layer, const std::vector<std::int64_t>& key,
                      const torch::Tensor& x) const override;
  torch::Tensor head(ParameterStoreImpl& store, const torch::Tensor& x) const override;

 private:
  // Middle channels of `layer` at width `multiplier`.
  std::int64_t mid_channels(int layer, double multiplier) const;
  NetworkOptions options_;
  std::shared_ptr<const spaces::SposSpace> space_;
};

}  // namespace childnets
