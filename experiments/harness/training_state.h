#pragma once
// The parts of a checkpoint every training run has, bound once for saving
// and loading (controllers/torch_state.h has the libtorch objects'
// bindings: modules, SGD, generators): a batch iterator's position and
// libtorch's default generator; and the reading and writing of a whole
// checkpoint through one run's `state_fields` function.

#include <torch/torch.h>

#include <functional>
#include <string>

#include "controllers/torch_state.h"
#include "experiments/archive/checkpoint.h"
#include "experiments/data/batch_iterator.h"

namespace experiments {

using controllers::StateFields;

// Scalars "<name>.epoch", "<name>.batch" and text "<name>.rng".
void bind_iterator(StateFields& fields, const std::string& name, BatchIterator& iterator);

// Tensor "torch_rng": libtorch's default CPU generator (dropout, drop-path, weight init).
void bind_torch_generator(StateFields& fields);

// Saves `state_fields`'s fields into a checkpoint written atomically at `path`.
void write_checkpoint_of(const std::string& path, const std::string& owner,
                         const std::function<void(StateFields&)>& state_fields);

// A checkpoint whose file reads but whose fields do not fit what loads
// them (missing, misshapen): the run's settings differ from the ones that
// wrote it, or the file is foreign.
class CheckpointMismatchError : public ArchiveError {
 public:
  using ArchiveError::ArchiveError;
};

// Reads the checkpoint at `path` and loads it through `state_fields`. An
// unreadable file is an ArchiveError naming it; a field that is missing,
// misshapen or unreadable a CheckpointMismatchError naming the file; a
// LaunchError from `state_fields` (another world size) stays one, naming the file.
void restore_from_checkpoint(const std::string& path, const std::string& owner,
                             const std::function<void(StateFields&)>& state_fields);

}  // namespace experiments
