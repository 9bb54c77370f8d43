#include "experiments/distributed/world.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>

#include "spaces/infra/number_text.h"

namespace experiments {
namespace {

std::optional<std::string> variable(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// A whole-number launch variable in [low, high]; LaunchError naming it otherwise.
std::int64_t integer_variable(const char* name, std::int64_t low, std::int64_t high) {
  const std::string text = variable(name).value_or("");
  const std::optional<double> value = spaces::parse_number(text);
  if (!value || *value != double(static_cast<std::int64_t>(*value)) || *value < double(low) || *value > double(high)) {
    throw LaunchError("launch variable " + std::string(name) + "='" + text + "': a whole number in [" +
                      std::to_string(low) + ", " + std::to_string(high) + "] expected");
  }
  return static_cast<std::int64_t>(*value);
}

// The first line of a c10 error: its backtrace follows, and is not for users.
std::string first_line(const std::exception& e) {
  std::string text = e.what();
  if (const auto end = text.find('\n'); end != std::string::npos) text.resize(end);
  return text;
}

std::chrono::milliseconds milliseconds(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

}  // namespace

struct World::Group {
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
  // The same ranks with a long timeout, for gathers after uneven work
  // (Gloo takes its timeout from the group; a per-call one is ignored).
  c10::intrusive_ptr<c10d::ProcessGroupGloo> patient;
};

World::~World() = default;
World::World(World&&) noexcept = default;
World& World::operator=(World&&) noexcept = default;

World World::from_environment(double timeout_seconds, std::optional<double> meet_timeout_seconds) {
  // c10d reads a timeout of 0 ms as none at all.
  if (!(timeout_seconds >= 1e-3) || !(meet_timeout_seconds.value_or(1.0) >= 1e-3)) {
    throw std::invalid_argument("World::from_environment: timeouts of at least 0.001 s expected");
  }
  World world;
  world.timeout_seconds_ = timeout_seconds;
  if (!variable("WORLD_SIZE")) return world;
  const std::int64_t size = integer_variable("WORLD_SIZE", 1, 1 << 20);
  if (size == 1) return world;
  world.size_ = static_cast<int>(size);
  world.rank_ = static_cast<int>(integer_variable("RANK", 0, size - 1));
  const std::optional<std::string> address = variable("MASTER_ADDR");
  if (!address) throw LaunchError("launch variable MASTER_ADDR is not set (the address of rank 0's TCP store)");
  const auto port = static_cast<std::uint16_t>(integer_variable("MASTER_PORT", 1, 65535));
  const double meet_seconds = meet_timeout_seconds.value_or(timeout_seconds);
  const std::string where = world.who() + "the ranks ";
  const std::string at = *address + ":" + std::to_string(port);
  c10::intrusive_ptr<c10d::TCPStore> store;
  std::shared_ptr<::gloo::transport::Device> device;
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = port;
    store_options.isServer = world.rank_ == 0;
    store_options.numWorkers = static_cast<std::size_t>(size);
    store_options.waitWorkers = true;
    store_options.timeout = milliseconds(meet_seconds);
    store = c10::make_intrusive<c10d::TCPStore>(*address, store_options);
    const auto interface = variable("GLOO_SOCKET_IFNAME");
    device = interface ? c10d::ProcessGroupGloo::createDeviceForInterface(*interface)
                       : c10d::ProcessGroupGloo::createDefaultDevice();
    // Every rank, its device ready, arrives here before any group connects,
    // so the groups' connection (bounded by the collectives' timeout) waits
    // for no rank's start-up.
    store->set("meet/" + std::to_string(world.rank_), std::vector<std::uint8_t>{1});
    std::vector<std::string> arrivals;
    for (int rank = 0; rank < world.size_; ++rank) arrivals.push_back("meet/" + std::to_string(rank));
    store->wait(arrivals, milliseconds(meet_seconds));
  } catch (const std::exception& e) {
    throw DistributedError(where + "did not meet at " + at + " within " + spaces::compact(meet_seconds, 4) + " s (" +
                           first_line(e) + ")");
  }
  try {
    const auto make_group = [&](const std::string& prefix, double seconds) {
      auto options = c10d::ProcessGroupGloo::Options::create(milliseconds(seconds));
      options->devices.push_back(device);
      options->threads = 1;
      return c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>(prefix, store),
                                                         world.rank_, world.size_, options);
    };
    world.group_ = std::make_shared<Group>(
        Group{make_group("world", timeout_seconds), make_group("patient", kPatientTimeoutSeconds)});
  } catch (const std::exception& e) {
    throw DistributedError(where + "met at " + at + " but their Gloo groups did not connect within " +
                           spaces::compact(timeout_seconds, 4) + " s (" + first_line(e) + ")");
  }
  return world;
}

std::string World::who() const { return "rank " + std::to_string(rank_) + " of " + std::to_string(size_) + ": "; }

template <class Body>
void World::collective(const std::string& what, Body body) const {
  try {
    body();
  } catch (const std::exception& e) {
    throw DistributedError(who() + what + " failed: another rank died, hung past " +
                           spaces::compact(timeout_seconds_, 4) + " s or disagreed (" + first_line(e) +
                           "); every rank stops; the last checkpoint resumes with the same world size");
  }
}

void World::all_reduce(std::vector<torch::Tensor>& tensors, bool average) const {
  if (size_ == 1) return;
  std::map<torch::ScalarType, std::vector<torch::Tensor*>> by_type;
  for (torch::Tensor& t : tensors) {
    if (t.defined()) by_type[t.scalar_type()].push_back(&t);
  }
  for (auto& [type, group] : by_type) {
    std::vector<torch::Tensor> flat_parts;
    for (torch::Tensor* t : group) flat_parts.push_back(t->reshape({-1}));
    std::vector<torch::Tensor> buffer = {torch::cat(flat_parts)};
    collective("all-reduce of " + std::to_string(buffer[0].numel()) + " values",
               [&] { group_->gloo->allreduce(buffer)->wait(); });
    if (average) buffer[0].div_(size_);
    std::int64_t offset = 0;
    for (torch::Tensor* t : group) {
      const std::int64_t n = t->numel();
      t->copy_(buffer[0].narrow(0, offset, n).view_as(*t));
      offset += n;
    }
  }
}

std::vector<torch::Tensor> World::all_gather_flat(const torch::Tensor& values, const std::string& what,
                                                  bool patient) const {
  c10d::ProcessGroupGloo& group = patient ? *group_->patient : *group_->gloo;
  // Lengths first, then the values padded to the longest.
  std::vector<torch::Tensor> length = {torch::tensor({values.numel()}, torch::kInt64)};
  std::vector<std::vector<torch::Tensor>> lengths(1);
  for (int r = 0; r < size_; ++r) lengths[0].push_back(torch::empty({1}, torch::kInt64));
  collective("gathering lengths", [&] { group.allgather(lengths, length)->wait(); });
  std::int64_t longest = 0;
  for (const torch::Tensor& l : lengths[0]) longest = std::max(longest, l.item<std::int64_t>());
  if (longest == 0) return std::vector<torch::Tensor>(static_cast<std::size_t>(size_), values);
  std::vector<torch::Tensor> input = {torch::zeros({longest}, values.options())};
  input[0].narrow(0, 0, values.numel()).copy_(values);
  std::vector<std::vector<torch::Tensor>> outputs(1);
  for (int r = 0; r < size_; ++r) outputs[0].push_back(torch::empty({longest}, values.options()));
  collective("gathering " + what, [&] { group.allgather(outputs, input)->wait(); });
  std::vector<torch::Tensor> gathered;
  for (int r = 0; r < size_; ++r) {
    gathered.push_back(outputs[0][static_cast<std::size_t>(r)].narrow(
        0, 0, lengths[0][static_cast<std::size_t>(r)].item<std::int64_t>()));
  }
  return gathered;
}

std::vector<std::vector<double>> World::all_gather(const std::vector<double>& values) const {
  if (size_ == 1) return {values};
  std::vector<std::vector<double>> gathered;
  for (const torch::Tensor& t :
       all_gather_flat(torch::tensor(values, torch::kFloat64), std::to_string(values.size()) + " values", false)) {
    gathered.emplace_back(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
  }
  return gathered;
}

std::vector<std::string> World::all_gather(const std::string& text, bool patient) const {
  if (size_ == 1) return {text};
  const torch::Tensor bytes =
      torch::from_blob(const_cast<char*>(text.data()), {static_cast<std::int64_t>(text.size())}, torch::kUInt8).clone();
  std::vector<std::string> gathered;
  for (const torch::Tensor& t : all_gather_flat(bytes, std::to_string(text.size()) + " bytes", patient)) {
    const auto* begin = reinterpret_cast<const char*>(t.data_ptr<std::uint8_t>());
    gathered.emplace_back(begin, begin + t.numel());
  }
  return gathered;
}

void World::broadcast(std::vector<double>& values, int root) const {
  if (size_ == 1) return;
  std::vector<torch::Tensor> buffer = {torch::tensor(values, torch::kFloat64)};
  c10d::BroadcastOptions options;
  options.rootRank = root;
  collective("broadcast of " + std::to_string(values.size()) + " values",
             [&] { group_->gloo->broadcast(buffer, options)->wait(); });
  values.assign(buffer[0].data_ptr<double>(), buffer[0].data_ptr<double>() + buffer[0].numel());
}

void World::check_agreement(std::uint64_t value, const std::string& what) const {
  if (size_ == 1) return;
  // One all-reduce of the maxima of the value's 32-bit halves and of their
  // negatives: every rank holds the same value exactly when max == -max(-x).
  const double high = double(value >> 32), low = double(value & 0xffffffffu);
  std::vector<torch::Tensor> extremes = {torch::tensor({high, low, -high, -low}, torch::kFloat64)};
  c10d::AllreduceOptions options;
  options.reduceOp = c10d::ReduceOp::MAX;
  collective("checking " + what, [&] { group_->gloo->allreduce(extremes, options)->wait(); });
  const auto* m = extremes[0].data_ptr<double>();
  if (m[0] != -m[2] || m[1] != -m[3]) {
    throw DistributedError(who() + "ranks disagree on " + what +
                           ": their controllers or data are out of step; every rank stops");
  }
}

void World::barrier(const std::string& what) const {
  if (size_ == 1) return;
  collective("waiting for every rank (" + what + ")", [&] { group_->gloo->barrier()->wait(); });
}

World& process_world() {
  static World world = [] {
    double timeout = 300.0;
    if (const char* text = std::getenv("NAS_DIST_TIMEOUT")) {
      const std::optional<double> value = spaces::parse_number(text);
      if (!value || *value <= 0)
        throw LaunchError(std::string("NAS_DIST_TIMEOUT='") + text + "': seconds > 0 expected");
      timeout = *value;
    }
    return World::from_environment(timeout);
  }();
  return world;
}

}  // namespace experiments
