#include "experiments/search/candidate_costs.h"

#include <chrono>
#include <filesystem>
#include <sstream>

#include "childnets/child_network.h"
#include "experiments/config/experiment_config.h"
#include "experiments/search/search_context.h"

namespace experiments {
namespace {

std::string short_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

CandidateCosts::CandidateCosts(SearchContext& context, bool resume, std::string* log) : context_(context) {
  const ExperimentConfig& config = context.config;
  const auto& search = config.section("search");
  max_params_ = search.get_double("max_params");
  max_macs_ = search.get_double("max_macs");
  max_latency_ms_ = search.get_double("max_latency_ms");
  const std::string path = search.get_string("latency_table");
  if (path.empty()) {
    if (max_latency_ms_ > 0) {
      throw config.error_at("search", "max_latency_ms", "a latency constraint needs [search] latency_table");
    }
    return;
  }
  const childnets::TimingOptions timing{.batch = search.get_int("latency_batch"),
                                        .warmup = search.get_int("latency_warmup"),
                                        .runs = search.get_int("latency_runs")};
  latency_at_batch_ = timing.batch > 1;
  const auto fail = [&](const std::string& why) {
    throw config.error_at("search", "latency_table", "'" + path + "': " + why);
  };
  if (std::filesystem::exists(path)) {
    try {
      latency_ = std::make_unique<childnets::LatencyTable>(childnets::LatencyTable::read(path));
    } catch (const std::runtime_error& e) {
      fail(e.what());
    }
    const std::string stale =
        latency_->key().mismatch(childnets::current_latency_key(context.space, context.network_options, timing));
    if (!stale.empty()) {
      fail("measured for another setting (" + stale + "); delete it to measure again here, or name another file");
    }
    if (log != nullptr) *log = "latency table " + path + " (" + std::to_string(latency_->layers()) + " layers)";
    return;
  }
  if (resume) fail("missing; a resumed run costs its candidates with the table it started with");
  const auto start = std::chrono::steady_clock::now();
  try {
    latency_ = std::make_unique<childnets::LatencyTable>(
        childnets::LatencyTable::measure(context.space, context.network_options, timing));
    if (const auto parent = std::filesystem::path(path).parent_path(); !parent.empty()) {
      std::filesystem::create_directories(parent);
    }
    latency_->write(path);
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  } catch (const std::exception& e) {
    fail(std::string("cannot be written: ") + e.what());
  }
  if (log != nullptr) {
    *log = "latency table measured in " +
           short_number(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()) +
           " s, written to " + path;
  }
}

controllers::Metrics CandidateCosts::costs(const spaces::Arch& arch) {
  const std::uint64_t key = context_.canonical_key(arch);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    const spaces::SpacePtr& space = context_.space_of(arch);
    const childnets::NetworkCost cost = childnets::measure_network(space, context_.network_options, arch);
    controllers::Metrics metrics{{"params", double(cost.parameters)}, {"macs", double(cost.macs_per_image)}};
    if (latency_)
      metrics["latency_ms"] = latency_->predict_ms(space, context_.network_options, arch, latency_at_batch_);
    it = cache_.emplace(key, std::move(metrics)).first;
  }
  return it->second;
}

std::vector<std::map<std::vector<std::int64_t>, double>> CandidateCosts::layer_latency_ms() const {
  if (!latency_) return {};
  return latency_->layers_ms(latency_at_batch_);
}

std::string CandidateCosts::violation(const spaces::Arch& arch) {
  if (!constrained()) return "";
  const controllers::Metrics cost = costs(arch);
  for (const Constraint& c : constraints()) {
    if (c.limit > 0 && cost.at(c.metric) > c.limit) {
      return std::string(c.metric) + " " + short_number(cost.at(c.metric)) + " > " + c.key + " " +
             short_number(c.limit);
    }
  }
  return "";
}

std::string CandidateCosts::describe() const {
  std::string text;
  for (const Constraint& c : constraints()) {
    if (c.limit > 0) text += (text.empty() ? "" : ", ") + std::string(c.metric) + " <= " + short_number(c.limit);
  }
  return text;
}

std::string CandidateCosts::constraint_key() const {
  for (const Constraint& c : constraints()) {
    if (c.limit > 0) return c.key;
  }
  return "";
}

}  // namespace experiments
