#include "childnets/hypernets_enas_network.h"

#include <gtest/gtest.h>

#include "childnets/child_network.h"
#include "spaces/registry.h"

namespace childnets {
namespace {

// The trial Hypernets' docs print (docs/source/nas.md @744002f): arch 'NR',
// 64 filters, 4 nodes, 28x28x1, 10 classes. Per node, Hypernets' order:
// input L, input R (0 = c1, 1 = c2, 2 + k = node k), op L, op R (0 sep5,
// 1 sep3, 2 avg, 3 max, 4 identity).
const char* kPrintedTrial = "0 0 1 1  1 2 1 3  1 2 1 2  1 0 3 1   0 1 4 0  2 0 1 4  2 3 1 3  2 1 3 0";

struct Counts {
  std::int64_t trainable = 0, statistics = 0;  // Keras's trainable and non-trainable (BN moving mean and variance)
  Counts& operator+=(const Counts& o) {
    trainable += o.trainable;
    statistics += o.statistics;
    return *this;
  }
};
Counts times(Counts c, std::int64_t n) { return {c.trainable * n, c.statistics * n}; }
Counts batch_norm(std::int64_t c) { return {2 * c, 2 * c}; }
Counts conv(std::int64_t in, std::int64_t out, std::int64_t k) { return {in * out * k * k + out, 0}; }
// Twice [depthwise k x k (no bias), pointwise with bias, BN].
Counts separable(std::int64_t c, std::int64_t k) {
  Counts unit{k * k * c, 0};
  unit += conv(c, c, 1);
  unit += batch_norm(c);
  return times(unit, 2);
}
Counts align(std::int64_t in, std::int64_t out) {
  Counts c = conv(in, out, 1);
  c += batch_norm(out);
  return c;
}
Counts reduction(std::int64_t in, std::int64_t out) {
  Counts c = times(conv(in, out / 2, 1), 2);
  c += batch_norm(out);
  return c;
}

TEST(HypernetsEnasNetwork, ThePrintedTrialHasHypernetsParameterCount) {
  const auto space = spaces::make_space("hyper_enas_micro(arch=NR,nodes=4)");
  const spaces::Arch arch = space->parse(kPrintedTrial);
  const NetworkOptions options = NetworkOptions().input_channels(1).image_size(28).num_classes(10).channels(64);
  auto network = ChildNetworkImpl::standalone(space, options, arch);
  Counts built;
  for (const auto& p : network->parameters()) built.trainable += p.numel();
  for (const auto& item : network->named_buffers()) {
    if (item.key().find("running_") != std::string::npos) built.statistics += item.value().numel();
  }
  // From the structure: stem conv 3x3 1 -> 192 and BN; cell 1 (64 filters,
  // both inputs the stem: one alignment 192 -> 64) with five sep3 ops,
  // three loose ends (192 channels out); cell 2 (128 filters): the R step's
  // reduction of cell 1's output and CalibrateSize's second reduction of it
  // (resolutions differ), two sep5 and two sep3 ops, two loose ends (256
  // out); the classifier 256 -> 10.
  Counts expected = conv(1, 192, 3);
  expected += batch_norm(192);
  expected += align(192, 64);
  expected += times(separable(64, 3), 5);
  expected += times(reduction(192, 128), 2);
  expected += times(separable(128, 5), 2);
  expected += times(separable(128, 3), 2);
  expected += Counts{256 * 10 + 10, 0};
  EXPECT_EQ(built.trainable, expected.trainable);
  EXPECT_EQ(built.statistics, expected.statistics);
  // Keras's summary of that trial: "Total params: 271,818", 4,352 non-trainable.
  EXPECT_EQ(built.trainable + built.statistics, 271818);
  EXPECT_EQ(built.statistics, 4352);
  network->eval();
  const auto out = network->forward(torch::randn({2, 1, 28, 28}));
  EXPECT_EQ(out.logits.sizes(), (std::vector<std::int64_t>{2, 10}));
}

TEST(HypernetsEnasNetwork, EveryRandomArchitectureOfFourCellsRunsAndTrains) {
  const auto space = spaces::make_space("hyper_enas_micro(arch=NRNR,nodes=3)");
  spaces::Rng rng(3);
  const NetworkOptions options = NetworkOptions().input_channels(1).image_size(9).num_classes(3).channels(4);
  for (int i = 0; i < 5; ++i) {
    auto network = ChildNetworkImpl::standalone(space, options, space->random(rng));
    network->train();
    const auto out = network->forward(torch::randn({2, 1, 9, 9}));
    ASSERT_EQ(out.logits.sizes(), (std::vector<std::int64_t>{2, 3}));
    out.logits.sum().backward();
  }
}

}  // namespace
}  // namespace childnets
