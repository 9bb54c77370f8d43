#pragma once
// Checkpoint files: named tensors, scalars and texts in one HDF5 file
// (layout version 2: /tensors/<name> datasets; /scalar_names,
// /scalar_values, /text_names, /text_values; fixed-length texts in the
// checksummed HDF5 1.8 format, see h5_util.h; a version-1 file is
// refused). A checkpoint is written to a temporary name,
// flushed to disk (fsync) and renamed into place, so a crash at any moment
// leaves either the previous checkpoint or the new one, never a torn file.

#include <torch/torch.h>

#include <string>
#include <vector>

#include "controllers/torch_state.h"
#include "experiments/archive/h5_util.h"

namespace experiments {

// A checkpoint's content is a saved state (controllers/torch_state.h):
// tensors (float32, float64, int64 or uint8; names without '/'), scalars
// and texts.
using Checkpoint = controllers::StateDict;

// Atomic write; throws ArchiveError naming the file.
void write_checkpoint(const std::string& path, const Checkpoint& checkpoint);
// Throws ArchiveError naming the file and what is missing or unreadable.
Checkpoint read_checkpoint(const std::string& path);

// The checkpoint paths in `dir`, oldest first, newest last: an epoch's
// in-epoch checkpoints ("epoch-000012-p01-000000300.h5", written while
// epoch 12 ran) sort after epoch 11's end checkpoint and before epoch 12's
// ("epoch-000012.h5"). Temporary files of an interrupted write are ignored.
std::vector<std::string> list_checkpoints(const std::string& dir);
// The checkpoint at the end of `epoch` (1-based: epochs completed).
std::string checkpoint_path(const std::string& dir, std::int64_t epoch);
// A checkpoint within `epoch` (1-based: the epoch running), in its phase
// `phase` (0-based) after `done` of the phase's units (candidate
// evaluations; 0 at the phase's start).
std::string in_epoch_checkpoint_path(const std::string& dir, std::int64_t epoch, std::int64_t phase, std::int64_t done);
// Called once `newest` is safely written: deletes the in-epoch checkpoints
// of `dir` that sort before it (they only take disk space) and all but the
// `keep_epoch_ends` newest epoch-end checkpoints ([run] keep_checkpoints;
// 0 keeps every one, as a search over 310 epochs would fill ~15 GB). The
// newest checkpoint, which a resume reads, is never deleted.
void prune_checkpoints(const std::string& dir, const std::string& newest, std::int64_t keep_epoch_ends);

}  // namespace experiments
