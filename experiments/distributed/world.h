#pragma once
// World: this process's place among the ranks of a run, and the few
// collectives the search core and final training need, on PyTorch's own
// distributed layer: c10d's TCPStore (where ranks meet) and
// ProcessGroupGloo (the collectives), from Debian's libtorch and libgloo.
//
// Launch as PyTorch users do: torchrun --no-python, nas_launch, or any
// launcher that sets RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT (the
// variables of torch.distributed's env:// initialisation; GLOO_SOCKET_IFNAME
// picks the network interface as it does there). Without WORLD_SIZE, or
// with WORLD_SIZE=1, the process is rank 0 of 1 and every collective
// returns its input unchanged, so single-process runs take the same code
// path with nothing to wait for.
//
// Faults: every collective waits at most `timeout_seconds` (the rendezvous
// may be given longer, see from_environment); a rank that died closes its
// connections and the others fail at once, a rank that hangs makes them
// fail at the timeout. Both throw DistributedError naming the operation, so
// each rank stops with a message rather than hanging (the last checkpoint,
// written by rank 0 before, stays usable).

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace experiments {

// Ranks that cannot meet or lost each other; the message says which
// operation failed, on which rank, and what to do.
class DistributedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The launch variables are malformed (RANK outside [0, WORLD_SIZE), a
// missing MASTER_ADDR, a port that is not a number), or the launch does not
// fit the run it resumes (a checkpoint of another world size): bad input, exit 2.
class LaunchError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// How long a patient gather waits: 30 days.
inline constexpr double kPatientTimeoutSeconds = 30.0 * 24 * 3600;

class World {
 public:
  // Rank 0 of 1: no process group.
  World() = default;
  ~World();
  World(World&&) noexcept;
  World& operator=(World&&) noexcept;

  // The world the environment describes (see above); meets the other ranks
  // through the TCP store at MASTER_ADDR:MASTER_PORT (rank 0 serves it).
  // `timeout_seconds` bounds every collective and the groups' connection
  // once all ranks have arrived; `meet_timeout_seconds` (default:
  // timeout_seconds) bounds how long the ranks may take to arrive, for
  // launches whose ranks start at different times while a hung collective
  // should fail sooner. Throws std::invalid_argument for a timeout under
  // 0.001 s (c10d would read it as none), LaunchError for malformed
  // variables, DistributedError when the ranks do not all arrive in time or
  // their groups do not connect.
  static World from_environment(double timeout_seconds, std::optional<double> meet_timeout_seconds = std::nullopt);

  int rank() const { return rank_; }
  int size() const { return size_; }
  // Whether this rank writes the run's files (archive, checkpoints, log, config): rank 0.
  bool writes() const { return rank_ == 0; }
  double timeout_seconds() const { return timeout_seconds_; }

  // Sums `tensors` (float32 or float64 CPU tensors of any shapes) over the
  // ranks in place, through one flat buffer per dtype (one all-reduce of
  // their total bytes), then divides by size() when `average`. Undefined
  // tensors are skipped. Throws DistributedError.
  void all_reduce(std::vector<torch::Tensor>& tensors, bool average) const;
  // The values of every rank, in rank order (lengths may differ across
  // ranks). Throws DistributedError.
  std::vector<std::vector<double>> all_gather(const std::vector<double>& values) const;
  // The texts (any bytes) of every rank, in rank order. `patient`: wait up
  // to kPatientTimeoutSeconds for the slowest rank instead of
  // timeout_seconds(), for gathers after uneven work (candidate
  // evaluation), where a rank may legitimately be hours behind; a rank that
  // dies still fails the others at once. Throws DistributedError.
  std::vector<std::string> all_gather(const std::string& text, bool patient = false) const;
  // Rank `root`'s `values` on every rank (sizes must agree). Throws DistributedError.
  void broadcast(std::vector<double>& values, int root = 0) const;
  // Throws DistributedError "ranks disagree on <what>" when `value` is not
  // the same on every rank (a check where ranks should agree without
  // exchanging the thing itself, e.g. the hash of a sampled architecture).
  void check_agreement(std::uint64_t value, const std::string& what) const;
  // The same with the value and its description computed only when there
  // are other ranks (a check on every weight step costs one process nothing).
  void check_agreement(const std::function<std::uint64_t()>& value, const std::function<std::string()>& what) const {
    if (size_ > 1) check_agreement(value(), what());
  }
  // Every rank arrives before any leaves. Throws DistributedError.
  void barrier(const std::string& what) const;

 private:
  int rank_ = 0, size_ = 1;
  double timeout_seconds_ = 0;
  struct Group;                   // the c10d process group (world.cpp)
  std::shared_ptr<Group> group_;  // null at world size 1
  // "rank R of N: ", which begins every DistributedError message.
  std::string who() const;
  // Runs a collective, turning c10d's and Gloo's errors into DistributedError.
  template <class Body>
  void collective(const std::string& what, Body body) const;
  // Every rank's 1-D `values` (lengths may differ), in rank order; `what` names them in errors.
  std::vector<torch::Tensor> all_gather_flat(const torch::Tensor& values, const std::string& what, bool patient) const;
};

// The world the binaries run in (from_environment on first use, with the
// timeout of NAS_DIST_TIMEOUT seconds, default 300). Throws as
// from_environment.
World& process_world();

}  // namespace experiments
