#include "experiments/harness/training_state.h"

#include <ATen/CPUGeneratorImpl.h>

#include "experiments/distributed/world.h"
#include "experiments/harness/run_setup.h"

namespace experiments {

void bind_iterator(StateFields& fields, const std::string& name, BatchIterator& iterator) {
  IteratorPosition position = fields.saving() ? iterator.position() : IteratorPosition{};
  fields.integer(name + ".epoch", position.epoch);
  fields.integer(name + ".batch", position.batch);
  fields.text(name + ".rng", position.augment_rng);
  if (fields.saving()) return;
  try {
    iterator.restore(position);
  } catch (const std::invalid_argument& e) {
    fields.fail(name + ": " + e.what());
  }
}

void bind_torch_generator(StateFields& fields) {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  controllers::bind_generator(fields, "torch_rng", generator);
}

void write_checkpoint_of(const std::string& path, const std::string& owner,
                         const std::function<void(StateFields&)>& state_fields) {
  Checkpoint checkpoint;
  StateFields fields = StateFields::saver(checkpoint, owner);
  state_fields(fields);
  write_checkpoint(path, checkpoint);
}

void restore_from_checkpoint(const std::string& path, const std::string& owner,
                             const std::function<void(StateFields&)>& state_fields) {
  const Checkpoint checkpoint = read_checkpoint(path);  // names the file itself
  try {
    StateFields fields = StateFields::loader(checkpoint, owner);
    state_fields(fields);
  } catch (const LaunchError& e) {  // the file is sound; the launch does not fit it
    throw LaunchError(path + ": " + e.what());
  } catch (const std::exception& e) {  // a field missing, misshapen or unreadable: the file is at fault
    throw CheckpointMismatchError(path + ": " + error_message(e));
  }
}

}  // namespace experiments
