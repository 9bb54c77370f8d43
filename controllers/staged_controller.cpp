#include "controllers/staged_controller.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "controllers/stage_record_text.h"

namespace controllers {

bool all_measured(const StageRecord& stage) {
  return std::none_of(stage.measured.begin(), stage.measured.end(), [](double m) { return std::isnan(m); });
}

void StagedController::open_stage(StageRecord stage, bool wait_for_training) {
  stage.measured.assign(stage.cells.size(), std::numeric_limits<double>::quiet_NaN());
  ids_.assign(stage.cells.size(), -1);
  stages_.push_back(std::move(stage));
  waiting_for_training_ = wait_for_training;
}

std::vector<Proposal> StagedController::propose(int n) {
  std::vector<Proposal> proposals;
  if (finished_ || waiting_for_training_ || stages_.empty()) return proposals;
  const StageRecord& stage = stages_.back();
  for (std::size_t i = 0; i < stage.cells.size() && static_cast<int>(proposals.size()) < n; ++i) {
    if (ids_[i] >= 0) continue;
    ids_[i] = next_id_++;
    proposals.push_back({ids_[i], stage.cells[i]});
  }
  return proposals;
}

std::vector<spaces::Arch> StagedController::sample(int n) {
  waiting_for_training_ = false;
  const StageRecord& stage = stages_.back();
  std::uniform_int_distribution<std::size_t> pick(0, stage.cells.size() - 1);
  std::vector<spaces::Arch> cells;
  for (int i = 0; i < n; ++i) cells.push_back(stage.cells[pick(rng_)]);
  return cells;
}

UpdateStats StagedController::observe(const std::vector<Feedback>& feedback) {
  UpdateStats stats;
  StageRecord& stage = stages_.back();
  for (const Feedback& f : feedback) {
    const auto it = std::find(ids_.begin(), ids_.end(), f.id);
    const std::size_t i = static_cast<std::size_t>(it - ids_.begin());
    if (f.id < 0 || it == ids_.end() || !std::isnan(stage.measured[i])) {
      throw std::invalid_argument(name() + " controller: no open proposal with id " + std::to_string(f.id));
    }
    stage.measured[i] = f.reward;
    stats.mean_reward += f.reward;
  }
  stats.count = static_cast<std::int64_t>(feedback.size());
  if (stats.count > 0) stats.mean_reward /= double(stats.count);
  if (all_measured(stage) && !finished_) stats.loss = close_stage();
  return stats;
}

std::vector<StageRecord> StagedController::completed_stages() const {
  std::vector<StageRecord> records;
  for (const StageRecord& stage : stages_) {
    if (all_measured(stage)) records.push_back(stage);
  }
  return records;
}

void StagedController::save_stages(ControllerState& state) const {
  state.texts["rng"] = spaces::rng_to_text(rng_);
  state.scalars["next_id"] = double(next_id_);
  state.scalars["finished"] = finished_ ? 1.0 : 0.0;
  state.scalars["waiting_for_training"] = waiting_for_training_ ? 1.0 : 0.0;
  state.texts["stages"] = stages_to_text(stages_, ids_);
}

const std::string& StagedController::state_text(const ControllerState& state, const std::string& key) const {
  const auto it = state.texts.find(key);
  if (it == state.texts.end()) throw std::invalid_argument(name() + " controller state: missing text '" + key + "'");
  return it->second;
}

double StagedController::state_scalar(const ControllerState& state, const std::string& key) const {
  const auto it = state.scalars.find(key);
  if (it == state.scalars.end())
    throw std::invalid_argument(name() + " controller state: missing scalar '" + key + "'");
  return it->second;
}

void StagedController::load_stages(const ControllerState& state,
                                   const std::function<spaces::SpacePtr(std::int64_t)>& space_of_stage) {
  spaces::rng_from_text(state_text(state, "rng"), rng_);
  next_id_ = static_cast<std::int64_t>(state_scalar(state, "next_id"));
  finished_ = state_scalar(state, "finished") != 0.0;
  waiting_for_training_ = state_scalar(state, "waiting_for_training") != 0.0;
  try {
    stages_ = stages_from_text(state_text(state, "stages"), space_of_stage, ids_);
  } catch (const std::exception& e) {
    throw std::invalid_argument(name() + " controller state: " + e.what());
  }
  if (stages_.empty()) throw std::invalid_argument(name() + " controller state: no stages");
}

}  // namespace controllers
