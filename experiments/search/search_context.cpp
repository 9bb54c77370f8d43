#include "experiments/search/search_context.h"

#include "experiments/distributed/data_parallel.h"

#include "spaces/registry.h"

namespace experiments {

void SearchContext::record(spaces::Record record) {
  record.fields.insert(record.fields.begin(), {{"epoch", epoch}, {"step", global_step}});
  pending.push_back(std::move(record));
}

void SearchContext::take_report(controllers::Controller& controller) {
  controllers::Report report = controller.take_report();
  for (spaces::Record& r : report.records) record(std::move(r));
  for (const std::string& line : report.log) log->info("{}", line);
}

Batch SearchContext::next_batch(BatchIterator& iterator) const {
  Batch batch = iterator.next();
  batch.images = batch.images.to(placement.device);
  batch.labels = batch.labels.to(placement.device);
  return batch;
}

Batch SearchContext::next_share(BatchIterator& iterator) const { return shard_of(next_batch(iterator), world); }

const spaces::SpacePtr& SearchContext::space_of(const spaces::Arch& arch) const {
  if (arch.space == space->spec()) return space;
  auto it = other_spaces_.find(arch.space);
  if (it == other_spaces_.end()) it = other_spaces_.emplace(arch.space, spaces::make_space(arch.space)).first;
  return it->second;
}

std::vector<std::int64_t> SearchContext::archive_tokens(const spaces::Arch& arch) const {
  std::vector<std::int64_t> tokens = arch.tokens;
  tokens.resize(space->num_tokens(), -1);
  return tokens;
}

std::uint64_t SearchContext::canonical_key(const spaces::Arch& arch) const {
  return spaces::hash_mix(spaces::hash_string(arch.space), space_of(arch)->canonical_hash(arch));
}

}  // namespace experiments
