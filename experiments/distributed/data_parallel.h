#pragma once
// Data-parallel training on a World (world.h), the way PyTorch's
// DistributedDataParallel does it: every rank draws the same global batch
// (the batch iterators advance identically on every rank, so positions,
// augmentation and resume stay as in one process) and trains on its own
// share; gradients are averaged over the ranks before clipping and the
// SGD step, so every rank's weights stay equal to one process's trained on
// the global batch (up to the order of floating-point sums). Batch
// normalisation uses each rank's share for its batch statistics, as DDP
// without SyncBatchNorm does. At world size 1 each function returns its
// input: the share is the whole batch and the hook changes nothing.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include <spdlog/logger.h>

#include "childnets/training.h"
#include "controllers/torch_state.h"
#include "experiments/data/batch_iterator.h"
#include "experiments/distributed/world.h"

namespace experiments {

// This rank's rows [begin, end) of `count`: equal contiguous parts, the
// first count % size ranks one row longer.
std::pair<std::int64_t, std::int64_t> share_of(std::int64_t count, const World& world);
// This rank's share of a global batch (images [B, ...], labels [B]): rows share_of(B).
Batch shard_of(const Batch& batch, const World& world);
// A StepOptions::reduce_gradients hook that averages gradients over the
// world (one all-reduce of the path's gradients per step; DistributedError
// when a rank is lost); none at world size 1, so one process's child step
// does no extra work.
childnets::GradientHook averaged_gradients(const World& world);
// Evaluation results summed over the ranks (each evaluated its share):
// the loss averaged over every image. DistributedError as World.
childnets::EvalResult summed_over_ranks(const childnets::EvalResult& mine, const World& world);
// The mean over ranks of a few numbers (a step's loss and accuracy on each share).
std::vector<double> averaged(std::vector<double> values, const World& world);

// The run's logger: rank 0's writes RUN_DIR/log.txt and the console
// (make_run_logger); another rank's prints only warnings and errors,
// prefixed with its rank, so a run logs once.
std::shared_ptr<spdlog::logger> make_rank_logger(const std::string& name, const std::string& run_dir,
                                                 const World& world);

// Rank 0 logs a warning when this machine's ranks (LOCAL_WORLD_SIZE, as
// nas_launch and torchrun set it) times `threads` each exceed its cores.
void warn_if_oversubscribed(spdlog::logger& log, std::int64_t threads, const World& world);

// A checkpoint's world size: saved; on load, a checkpoint of another world
// size is refused (LaunchError "written by N ranks; resume it with N ranks
// (nas_launch -n N ...), not M"), and one without the field counts as 1 (a
// single-process run). Why refused rather than re-sharded: the shares of
// every batch, hence the weights after each step, depend on the world
// size, so a resume with another one would not continue the run it
// resumes.
void bind_world_size(controllers::StateFields& fields, const World& world);

}  // namespace experiments
