#pragma once
// HypernetsEnasNetwork: the network of a hyper_enas_micro architecture as
// Hypernets' Keras code builds it (hypernets/frameworks/keras/
// enas_micro.py, enas_common_ops.py, enas_layers.py @744002f), so a trial
// here is the trial Hypernets' docs print (docs/source/nas.md: arch 'NR',
// 64 filters, 4 nodes, 28x28x1, 10 classes: 271,818 parameters in Keras's
// count, of which 4,352 are the batch norms' moving statistics; here
// 267,466 trainable parameters plus those 4,352 buffer elements).
//
// - Stem: conv 3x3 to 3F (F = NetworkOptions::channels, Hypernets'
//   init_filters), with bias, then BN; no ReLU.
// - Cells in arch order; a cell's filters are F x 2^(R cells so far, this
//   one included). Before an R cell: node0 = node1, node1 = factorized
//   reduction of node1. The cell calibrates its inputs (CalibrateSize): when
//   node0 and node1 are one tensor (the first cell: both the stem), one
//   calibration serves both; otherwise node0 is factorized-reduced when its
//   resolution differs from node1's, else aligned when its channels are
//   not the cell's filters, and node1 aligned when its channels are not.
//   After the cell: node0, node1 = node1, the cell's output.
// - A node adds its two inputs' ops. Ops never stride: sep_conv_kxk is
//   twice [ReLU, separable conv (depthwise k x k without bias, pointwise
//   1x1 with bias), BN]; pools are 3x3, stride 1, same padding (the average
//   over the pixels the window covers); identity.
// - The output concatenates the loose-end nodes (no 1x1 after it).
// - Align: ReLU, conv 1x1 with bias, BN. Factorized reduction: ReLU, then
//   two paths of a stride-2 1x1 subsample and a conv 1x1 with bias to half
//   the filters, the second path shifted by one pixel (padded at the bottom
//   and right), concatenated, BN.
// - Classifier: ReLU, global average pool, a linear layer with bias
//   (NetworkOptions::dropout before it when > 0).
// BN as Keras's: eps 1e-3, momentum 0.99; Glorot-uniform kernels.
// Input x [batch, channels, size, size]; output logits [batch, classes].
// One network per architecture (no shared store): declare() needs it.

#include "childnets/network_family.h"

namespace childnets {

class HypernetsEnasNetwork : public NetworkFamily {
 public:
  // Throws std::invalid_argument for a space other than hyper_enas_micro.
  HypernetsEnasNetwork(const spaces::SpacePtr& space, const NetworkOptions& options);
  // Throws std::invalid_argument when `only` is null.
  void declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const override;
  ChildOutput forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                      double drop_path) const override;

 private:
  NetworkOptions options_;
  std::string cells_;  // "NR"
};

}  // namespace childnets
