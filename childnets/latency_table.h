#pragma once
// Latency on the machine a search runs on, as FBNet measures it
// (Wu et al. 2019; AnnaAraslanova/FBNet lookup_table_builder.py:82-104):
// every candidate of every searched layer is timed alone on a random input
// of that layer's shape, and a network's latency is predicted as the sum of
// its layers' entries plus its fixed parts (stem and head). The table is
// measured once, written to a file and reused by later searches; it holds
// what it was measured for (its key), and a table measured for another
// space, network shape, thread count, libtorch build or timing setting is
// refused by name.
//
// Times are milliseconds of wall time, the median of `runs` forward passes
// after `warmup` unmeasured ones, in eval mode without autograd, each at
// batch 1 and at `batch` images. Departures from FBNet's builder (timeit's
// mean of 50 runs, no warm-up, batch 1), each for a reason: the median
// after a warm-up resists the first passes' allocations and a busy moment;
// the fixed stem and head are timed too and added, so a prediction is of
// the whole network and can be checked against it timed end to end (FBNet
// sums the searched layers only; the fixed part adds the same to every
// candidate); a layer's candidates are timed as the search's networks run
// them (SPOS's units sliced to their width from the shared store), not as
// separately built ops.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "childnets/network_options.h"
#include "spaces/search_space.h"

namespace childnets {

struct TimingOptions {
  std::int64_t batch = 1;   // the second column's batch (the first is always 1)
  std::int64_t warmup = 5;  // unmeasured passes first
  std::int64_t runs = 50;   // measured passes; the median is kept (FBNet: 50)
};

// The median milliseconds of one forward pass of `arch`'s standalone
// network at `batch` images (eval mode, no autograd), with options.warmup
// and options.runs passes. Leaves libtorch's default generator as it was.
double time_network(const spaces::SpacePtr& space, const NetworkOptions& options, const spaces::Arch& arch,
                    std::int64_t batch, const TimingOptions& timing);

// What a table was measured for; two tables agree when every field does.
struct LatencyTableKey {
  std::string space;         // the space's spec
  std::string network;       // input channels, image size, classes, dropout: what shapes the layers
  std::int64_t threads = 0;  // intra-op threads
  std::string torch_build;   // libtorch's version and build configuration, hashed
  std::int64_t batch = 1, warmup = 0, runs = 0;

  // Empty when `other` matches; else the first field that differs, as
  // "threads: 2 in the table, 1 here".
  std::string mismatch(const LatencyTableKey& other) const;
};

// The network options a key was measured with (its `network` field; the
// other options at their defaults: dropout does not change latency in eval
// mode). Throws std::invalid_argument for a field that is not the text
// current_latency_key writes, or not a positive count.
NetworkOptions network_options_of(const LatencyTableKey& key);

// The key of a table measured now for `space` and `options` with
// `timing`, at libtorch's current thread count.
LatencyTableKey current_latency_key(const spaces::SpacePtr& space, const NetworkOptions& options,
                                    const TimingOptions& timing);

class LatencyTable {
 public:
  // Times every candidate of every searched layer of `space`'s network and
  // its fixed parts. Throws std::invalid_argument for a space whose network
  // is not layer-wise (NetworkFamily::layerwise() is nullptr).
  static LatencyTable measure(const spaces::SpacePtr& space, const NetworkOptions& options,
                              const TimingOptions& timing);
  // Reads a file write() wrote; throws std::runtime_error naming the file
  // and line for anything else.
  static LatencyTable read(const std::string& path);
  // Writes to a temporary name, then renames: a crash never leaves a torn
  // table. Throws std::runtime_error when the file cannot be written.
  void write(const std::string& path) const;

  const LatencyTableKey& key() const { return key_; }
  // The predicted milliseconds of `arch`'s network at batch 1 (at_batch
  // false) or at the key's batch: fixed parts plus each layer's chosen
  // candidate. Throws std::invalid_argument for an architecture of another
  // space or a candidate the table lacks.
  double predict_ms(const spaces::SpacePtr& space, const NetworkOptions& options, const spaces::Arch& arch,
                    bool at_batch = false) const;
  std::size_t layers() const { return entries_.size(); }
  // Per searched layer, its candidates (keys as LayerwiseFamily's) and
  // their milliseconds at batch 1 or at the key's batch, without the fixed
  // parts: the per-op latencies FBNet's loss sums (CostModel::layer_latency_ms).
  std::vector<std::map<std::vector<std::int64_t>, double>> layers_ms(bool at_batch = false) const;

 private:
  struct Times {
    double batch1 = 0, batch_n = 0;
  };
  LatencyTableKey key_;
  Times fixed_;                                                      // stem and head
  std::vector<std::map<std::vector<std::int64_t>, Times>> entries_;  // per layer: candidate key -> times
};

}  // namespace childnets
