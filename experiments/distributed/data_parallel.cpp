#include "experiments/distributed/data_parallel.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdlib>
#include <thread>

#include "experiments/harness/run_setup.h"

namespace experiments {

std::pair<std::int64_t, std::int64_t> share_of(std::int64_t count, const World& world) {
  const std::int64_t size = world.size(), rank = world.rank();
  const std::int64_t base = count / size, extra = count % size;
  const std::int64_t begin = rank * base + std::min(rank, extra);
  return {begin, begin + base + (rank < extra ? 1 : 0)};
}

Batch shard_of(const Batch& batch, const World& world) {
  if (world.size() == 1) return batch;
  const auto [begin, end] = share_of(batch.images.size(0), world);
  return {batch.images.narrow(0, begin, end - begin), batch.labels.narrow(0, begin, end - begin)};
}

childnets::GradientHook averaged_gradients(const World& world) {
  if (world.size() == 1) return nullptr;  // one process: nothing added to the child step
  return [&world](std::vector<torch::Tensor>& gradients) { world.all_reduce(gradients, true); };
}

namespace {

// `values` summed (or averaged) over the ranks, in one all-reduce.
std::vector<double> reduced(std::vector<double> values, bool average, const World& world) {
  if (world.size() == 1) return values;
  std::vector<torch::Tensor> buffer = {torch::tensor(values, torch::kFloat64)};
  world.all_reduce(buffer, average);
  values.assign(buffer[0].data_ptr<double>(), buffer[0].data_ptr<double>() + buffer[0].numel());
  return values;
}

}  // namespace

childnets::EvalResult summed_over_ranks(const childnets::EvalResult& mine, const World& world) {
  if (world.size() == 1) return mine;
  const std::vector<double> s =
      reduced({mine.loss * double(mine.count), double(mine.correct), double(mine.count)}, false, world);
  childnets::EvalResult total;
  total.count = static_cast<std::int64_t>(s[2]);
  total.correct = static_cast<std::int64_t>(s[1]);
  total.loss = total.count > 0 ? s[0] / s[2] : 0.0;
  return total;
}

std::vector<double> averaged(std::vector<double> values, const World& world) {
  return reduced(std::move(values), true, world);
}

std::shared_ptr<spdlog::logger> make_rank_logger(const std::string& name, const std::string& run_dir,
                                                 const World& world) {
  if (world.writes()) return make_run_logger(name, run_dir);
  auto log = std::make_shared<spdlog::logger>(name + " rank " + std::to_string(world.rank()),
                                              std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  log->set_level(spdlog::level::warn);
  return log;
}

void warn_if_oversubscribed(spdlog::logger& log, std::int64_t threads, const World& world) {
  if (!world.writes()) return;
  const char* local = std::getenv("LOCAL_WORLD_SIZE");
  const long ranks = local != nullptr ? std::strtol(local, nullptr, 10) : 1;
  const unsigned cores = std::thread::hardware_concurrency();
  if (ranks > 1 && cores > 0 && ranks * threads > static_cast<long>(cores)) {
    log.warn(
        "{} ranks on this machine with [run] threads = {} each ask for {} threads of its {} cores: set "
        "run.threads={} to keep them from slowing each other",
        ranks, threads, ranks * threads, cores, std::max<long>(1, static_cast<long>(cores) / ranks));
  }
}

void bind_world_size(controllers::StateFields& fields, const World& world) {
  std::int64_t size = world.size();
  if (fields.saving() || fields.has_scalar("world_size")) {
    fields.integer("world_size", size);
  } else {
    size = 1;  // a checkpoint of an earlier build: one process
  }
  if (fields.loading() && size != world.size()) {
    // A launch that does not fit the run, not a settings change: LaunchError, which no resume rewords.
    throw LaunchError(
        "written by " + std::to_string(size) + " rank" + (size == 1 ? "" : "s") + "; resume it with " +
        std::to_string(size) +
        (size == 1 ? " process (no launcher)" : " ranks (nas_launch -n " + std::to_string(size) + " ...)") + ", not " +
        std::to_string(world.size()));
  }
}

}  // namespace experiments
