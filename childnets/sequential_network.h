#pragma once
// SequentialNetwork: the network of a hyper-space architecture
// (spaces/hyper_space.h): its layers in order, then a classifier (a
// linear layer to the classes over the flattened last output, Hypernets'
// output Dense). Layers as Keras builds them, since the hyper-spaces are
// Hypernets' (Keras) spaces:
//   dense(units=N)             the input flattened to [batch, features] first; y = x W^T + b
//   conv2d(filters=F,kernel=K) stride 1, same padding (K odd: K/2 on each side; K even: Keras's
//                              extra row and column at the bottom and right), with bias
//   batch_norm                 BatchNorm2d on [batch, C, H, W], BatchNorm1d on [batch, features];
//                              Keras's eps 1e-3 and momentum 0.99 (torch momentum 0.01)
//   activation(fn=...)         relu, tanh, sigmoid, elu, selu
//   dropout(rate=R)            in training mode only
//   max_pool(size=S), avg_pool(size=S)  stride S, same padding: ceil(H / S) outputs, a window
//                              cut by the border reduced over (or averaged over) what it covers
//   flatten                    [batch, C, H, W] -> [batch, C*H*W]
// Weights as Keras initialises them: Glorot-uniform kernels, zero biases.
//
// Input: x [batch, channels, size, size] (images; tabular data arrives as
// [batch, features, 1, 1], NetworkOptions::input_channels = features,
// image_size = 1). Output logits [batch, classes]. Each network has its
// own weights (a hyper-space has no shared store: its candidates are
// trained as trials), so declare() needs the architecture.

#include <string>

#include "childnets/network_family.h"

namespace childnets {

class SequentialNetwork : public NetworkFamily {
 public:
  // Throws std::invalid_argument for a space that is not a hyper-space.
  SequentialNetwork(const spaces::SpacePtr& space, const NetworkOptions& options);
  // Throws std::invalid_argument when `only` is null (no shared store), and
  // spaces::ArchError for a layer the input shape cannot take (a pool or
  // convolution after flatten, a 2-D layer on features).
  void declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const override;
  ChildOutput forward(ParameterStoreImpl& store, const torch::Tensor& x, const spaces::ArchGraph& arch,
                      double drop_path) const override;

 private:
  NetworkOptions options_;
};

}  // namespace childnets
