#pragma once
// StagedController: what strategies that work in stages of known cells
// (PNAS's block stages, NAO's cycles) share.
//
// Schedule, each epoch: train the shared weights on the open stage's cells
// (sample() draws them uniformly), then evaluate every cell of the stage.
// The open stage (the last of stages_) hands each cell out once through
// propose() and takes its measurement through observe(); when every cell
// is measured, close_stage() runs (train a model, open the next stage or
// finish), which ends the epoch: a new stage's cells are scored only after
// a weight-training phase on them. One epoch per stage, so
// epochs_to_finish() is the number of stages left.
//
// Each closed stage is reported as records of three tables: "stages" (one
// row per cell: stage, tokens padded with -1 to the space's width,
// canonical, predicted_mean, predicted_spread, measured), "stage_summary"
// (stage, candidates, surrogate_loss, spearman, kendall,
// reconstruction_accuracy, valid_rate) and "generated" (NAO: stage, tokens,
// parent_tokens, canonical, parent_canonical, step_size, predicted,
// predicted_improvement), with a log line.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "controllers/controller.h"
#include "controllers/stage_record.h"

namespace controllers {

class StagedController : public Controller {
 public:
  std::vector<Phase> phases(std::int64_t epoch) const override;
  std::vector<Proposal> propose(int n) override;
  std::vector<spaces::Arch> sample(int n) override;
  // Throws std::invalid_argument for an id not handed out in the open stage, or already measured.
  UpdateStats observe(const std::vector<Feedback>& feedback) override;
  bool finished() const override { return finished_; }
  std::optional<std::int64_t> epochs_to_finish() const override;
  Report take_report() override { return std::exchange(report_, {}); }

  // Every stage so far; a stage is complete when none of its measurements is NaN.
  const std::vector<StageRecord>& stages() const { return stages_; }
  // The complete ones, oldest first.
  std::vector<StageRecord> completed_stages() const;

 protected:
  // `width`: tokens of the configured space (archive rows are padded to it).
  StagedController(std::uint64_t seed, std::size_t width) : rng_(seed), width_(width) {}
  // Runs when the open stage is fully measured: sets the stage's summary,
  // then opens the next stage or sets finished_. Returns the loss to report
  // for this update (NaN: none).
  virtual double close_stage() = 0;
  // The number of the last stage (PNAS: its block count; NAO: its cycles).
  virtual std::int64_t last_stage() const = 0;
  // The space a stage's cells belong to.
  virtual spaces::SpacePtr stage_space(std::int64_t stage) const = 0;
  // Appends `stage` (cells and predictions set; measurements become NaN) as the open stage.
  void open_stage(StageRecord stage);

  // The bookkeeping's fields: generator, next id, flags and the stages as text.
  void stage_fields(StateFields& fields);

  spaces::Rng rng_;
  std::vector<StageRecord> stages_;
  bool finished_ = false;

 private:
  // The records and log line of a closed stage.
  void report_stage(const StageRecord& stage);
  std::vector<std::int64_t> padded(const spaces::Arch& arch) const;

  std::size_t width_;
  std::vector<std::int64_t> ids_;  // proposal id of each cell of the open stage, -1 if not proposed
  std::int64_t next_id_ = 0;
  Report report_;
};

}  // namespace controllers
