#pragma once
// StagedController: the propose/observe bookkeeping shared by strategies
// that work in stages of known cells (PNAS's block stages, NAO's cycles).
// The open stage (the last of stages_) hands each cell out once through
// propose() and takes its measurement through observe(); when every cell
// is measured, close_stage() runs (train a model, open the next stage or
// finish). sample() draws the open stage's cells uniformly, for training
// shared weights; a stage opened with `wait_for_training` proposes nothing
// until sample() has been called once, so the store is trained on the new
// cells (a child phase) before they are scored.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "controllers/controller.h"

namespace controllers {

class StagedController : public Controller {
 public:
  std::vector<Proposal> propose(int n) override;
  std::vector<spaces::Arch> sample(int n) override;
  // Throws std::invalid_argument for an id not handed out in the open stage, or already measured.
  UpdateStats observe(const std::vector<Feedback>& feedback) override;
  bool finished() const override { return finished_; }
  std::vector<StageRecord> completed_stages() const override;

  // Every stage so far; a stage is complete when none of its measurements is NaN.
  const std::vector<StageRecord>& stages() const { return stages_; }

 protected:
  explicit StagedController(std::uint64_t seed) : rng_(seed) {}
  // Runs when the open stage is fully measured: sets the stage's summary,
  // then opens the next stage or sets finished_. Returns the loss to report
  // for this update (NaN: none).
  virtual double close_stage() = 0;
  // Appends `stage` (cells and predictions set; measurements become NaN) as the open stage.
  void open_stage(StageRecord stage, bool wait_for_training);

  // The bookkeeping's part of state(): generator, ids, flags and the stages as text.
  void save_stages(ControllerState& state) const;
  // Restores it; `space_of_stage` gives a stage's space. Throws
  // std::invalid_argument naming the controller and what is missing.
  void load_stages(const ControllerState& state, const std::function<spaces::SpacePtr(std::int64_t)>& space_of_stage);
  // A named text or scalar of `state`; throws std::invalid_argument naming the controller.
  const std::string& state_text(const ControllerState& state, const std::string& key) const;
  double state_scalar(const ControllerState& state, const std::string& key) const;

  spaces::Rng rng_;
  std::vector<StageRecord> stages_;
  bool finished_ = false;

 private:
  std::vector<std::int64_t> ids_;  // proposal id of each cell of the open stage, -1 if not proposed
  std::int64_t next_id_ = 0;
  bool waiting_for_training_ = false;
};

// Whether every cell of `stage` has its measurement.
bool all_measured(const StageRecord& stage);

}  // namespace controllers
