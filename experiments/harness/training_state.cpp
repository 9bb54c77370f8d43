#include "experiments/harness/training_state.h"

#include <ATen/CPUGeneratorImpl.h>

namespace experiments {

void save_module_state(Checkpoint& checkpoint, const std::string& prefix, const torch::nn::Module& module) {
  for (const auto& item : module.named_parameters()) checkpoint.tensors[prefix + "." + item.key()] = item.value();
  for (const auto& item : module.named_buffers()) checkpoint.tensors[prefix + "." + item.key()] = item.value();
}

void load_module_state(const Checkpoint& checkpoint, const std::string& prefix, torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  auto copy_into = [&](const std::string& key, torch::Tensor& target) {
    const auto it = checkpoint.tensors.find(key);
    if (it == checkpoint.tensors.end()) throw ArchiveError("checkpoint: missing tensor '" + key + "'");
    if (it->second.sizes() != target.sizes()) throw ArchiveError("checkpoint: tensor '" + key + "' has another shape");
    target.copy_(it->second);
  };
  for (auto& item : module.named_parameters()) copy_into(prefix + "." + item.key(), item.value());
  for (auto& item : module.named_buffers()) copy_into(prefix + "." + item.key(), item.value());
}

void save_sgd_state(Checkpoint& checkpoint, const std::string& prefix, torch::optim::SGD& sgd,
                    const std::vector<torch::Tensor>& parameters) {
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const auto it = sgd.state().find(c10::guts::to_string(parameters[i].unsafeGetTensorImpl()));
    if (it == sgd.state().end()) continue;
    const auto& buffer = static_cast<const torch::optim::SGDParamState&>(*it->second).momentum_buffer();
    if (buffer.defined()) checkpoint.tensors[prefix + "." + std::to_string(i)] = buffer;
  }
}

void load_sgd_state(const Checkpoint& checkpoint, const std::string& prefix, torch::optim::SGD& sgd,
                    const std::vector<torch::Tensor>& parameters) {
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const auto it = checkpoint.tensors.find(prefix + "." + std::to_string(i));
    if (it == checkpoint.tensors.end()) continue;
    if (it->second.sizes() != parameters[i].sizes()) {
      throw ArchiveError("checkpoint: tensor '" + it->first + "' has another shape");
    }
    auto state = std::make_unique<torch::optim::SGDParamState>();
    state->momentum_buffer(it->second.clone());
    sgd.state()[c10::guts::to_string(parameters[i].unsafeGetTensorImpl())] = std::move(state);
  }
}

void save_iterator_position(Checkpoint& checkpoint, const std::string& name, const BatchIterator& iterator) {
  const IteratorPosition p = iterator.position();
  checkpoint.scalars[name + ".epoch"] = double(p.epoch);
  checkpoint.scalars[name + ".batch"] = double(p.batch);
  checkpoint.texts[name + ".rng"] = p.augment_rng;
}

void load_iterator_position(const Checkpoint& checkpoint, const std::string& name, BatchIterator& iterator) {
  try {
    iterator.restore(IteratorPosition{static_cast<std::int64_t>(checkpoint_scalar(checkpoint, name + ".epoch")),
                                      static_cast<std::int64_t>(checkpoint_scalar(checkpoint, name + ".batch")),
                                      checkpoint_text(checkpoint, name + ".rng")});
  } catch (const std::invalid_argument& e) {
    throw ArchiveError("checkpoint: " + name + ": " + e.what());
  }
}

void save_torch_generator(Checkpoint& checkpoint) {
  checkpoint.tensors["torch_rng"] = at::detail::getDefaultCPUGenerator().get_state();
}

void load_torch_generator(const Checkpoint& checkpoint) {
  const auto it = checkpoint.tensors.find("torch_rng");
  if (it == checkpoint.tensors.end()) throw ArchiveError("checkpoint: missing tensor 'torch_rng'");
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  generator.set_state(it->second);
}

void restore_from_checkpoint(const std::string& path, const std::function<void(const Checkpoint&)>& restore) {
  const Checkpoint checkpoint = read_checkpoint(path);  // names the file itself
  try {
    restore(checkpoint);
  } catch (const ArchiveError& e) {
    throw ArchiveError(path + ": " + e.what());
  }
}

double checkpoint_scalar(const Checkpoint& checkpoint, const std::string& key) {
  const auto it = checkpoint.scalars.find(key);
  if (it == checkpoint.scalars.end()) throw ArchiveError("checkpoint: missing scalar '" + key + "'");
  return it->second;
}

const std::string& checkpoint_text(const Checkpoint& checkpoint, const std::string& key) {
  const auto it = checkpoint.texts.find(key);
  if (it == checkpoint.texts.end()) throw ArchiveError("checkpoint: missing text '" + key + "'");
  return it->second;
}

}  // namespace experiments
