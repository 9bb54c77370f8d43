#pragma once
// The parts of a checkpoint every training run has, saved and restored the
// same way by the search and by final training: a module's parameters and
// buffers, SGD's momentum buffers, a batch iterator's position, the torch
// generator, and typed look-ups that name what a checkpoint lacks.
// Restoring throws ArchiveError ("checkpoint: missing tensor 'store.x'",
// "... has another shape") without naming the file; callers add it.

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "experiments/archive/checkpoint.h"
#include "experiments/data/batch_iterator.h"

namespace experiments {

// Tensors "<prefix>.<name>" for every parameter and buffer of `module`.
void save_module_state(Checkpoint& checkpoint, const std::string& prefix, const torch::nn::Module& module);
void load_module_state(const Checkpoint& checkpoint, const std::string& prefix, torch::nn::Module& module);

// Tensors "<prefix>.<i>": the momentum buffer of parameters[i], where it has one.
void save_sgd_state(Checkpoint& checkpoint, const std::string& prefix, torch::optim::SGD& sgd,
                    const std::vector<torch::Tensor>& parameters);
void load_sgd_state(const Checkpoint& checkpoint, const std::string& prefix, torch::optim::SGD& sgd,
                    const std::vector<torch::Tensor>& parameters);

// Scalars "<name>.epoch", "<name>.batch" and text "<name>.rng".
void save_iterator_position(Checkpoint& checkpoint, const std::string& name, const BatchIterator& iterator);
void load_iterator_position(const Checkpoint& checkpoint, const std::string& name, BatchIterator& iterator);

// Tensor "torch_rng": libtorch's default CPU generator (dropout, drop-path).
void save_torch_generator(Checkpoint& checkpoint);
void load_torch_generator(const Checkpoint& checkpoint);

// Reads the checkpoint at `path` and hands it to `restore`; an ArchiveError
// thrown by `restore` comes back prefixed with the file's name.
void restore_from_checkpoint(const std::string& path, const std::function<void(const Checkpoint&)>& restore);

double checkpoint_scalar(const Checkpoint& checkpoint, const std::string& key);
const std::string& checkpoint_text(const Checkpoint& checkpoint, const std::string& key);

}  // namespace experiments
