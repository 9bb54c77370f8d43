#include "controllers/staged_controller.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "controllers/stage_record_text.h"

namespace controllers {

bool all_measured(const StageRecord& stage) {
  return std::none_of(stage.measured.begin(), stage.measured.end(), [](double m) { return std::isnan(m); });
}

std::vector<Phase> StagedController::phases(std::int64_t /*epoch*/) const {
  const auto unproposed = static_cast<std::int64_t>(std::count(ids_.begin(), ids_.end(), -1));
  return {TrainWeightsPhase{PathSource::kSampled}, EvaluatePhase{.proposals = std::max<std::int64_t>(unproposed, 1)}};
}

void StagedController::open_stage(StageRecord stage) {
  stage.measured.assign(stage.cells.size(), std::numeric_limits<double>::quiet_NaN());
  ids_.assign(stage.cells.size(), -1);
  stages_.push_back(std::move(stage));
}

std::optional<std::int64_t> StagedController::epochs_to_finish() const {
  if (finished_) return 0;
  return last_stage() - stages_.back().stage + 1;
}

std::vector<Proposal> StagedController::propose(int n) {
  std::vector<Proposal> proposals;
  if (finished_ || stages_.empty()) return proposals;
  const StageRecord& stage = stages_.back();
  for (std::size_t i = 0; i < stage.cells.size() && static_cast<int>(proposals.size()) < n; ++i) {
    if (ids_[i] >= 0) continue;
    ids_[i] = next_id_++;
    proposals.push_back({ids_[i], stage.cells[i]});
  }
  return proposals;
}

std::vector<spaces::Arch> StagedController::sample(int n) {
  const StageRecord& stage = stages_.back();
  std::uniform_int_distribution<std::size_t> pick(0, stage.cells.size() - 1);
  std::vector<spaces::Arch> cells;
  for (int i = 0; i < n; ++i) cells.push_back(stage.cells[pick(rng_)]);
  return cells;
}

UpdateStats StagedController::observe(const std::vector<Feedback>& feedback) {
  StageRecord& stage = stages_.back();
  for (const Feedback& f : feedback) {
    const auto it = std::find(ids_.begin(), ids_.end(), f.id);
    const std::size_t i = static_cast<std::size_t>(it - ids_.begin());
    if (f.id < 0 || it == ids_.end() || !std::isnan(stage.measured[i])) {
      throw std::invalid_argument(name() + " controller: no open proposal with id " + std::to_string(f.id));
    }
    stage.measured[i] = f.reward;
  }
  UpdateStats stats;
  stats.count = static_cast<std::int64_t>(feedback.size());
  stats.mean_reward = mean_reward(feedback);
  if (all_measured(stage) && !finished_) {
    const std::size_t closing = stages_.size() - 1;
    stats.loss = close_stage();  // may open the next stage: stages_ grows
    report_stage(stages_[closing]);
  }
  return stats;
}

std::vector<StageRecord> StagedController::completed_stages() const {
  std::vector<StageRecord> records;
  for (const StageRecord& stage : stages_) {
    if (all_measured(stage)) records.push_back(stage);
  }
  return records;
}

std::vector<std::int64_t> StagedController::padded(const spaces::Arch& arch) const {
  std::vector<std::int64_t> tokens = arch.tokens;
  tokens.resize(width_, -1);
  return tokens;
}

void StagedController::report_stage(const StageRecord& stage) {
  const spaces::SpacePtr space = stage_space(stage.stage);
  for (std::size_t i = 0; i < stage.cells.size(); ++i) {
    report_.records.push_back(spaces::Record("stages")
                                  .set("stage", stage.stage)
                                  .set("tokens", padded(stage.cells[i]))
                                  .set("canonical", space->to_string(stage.cells[i]))
                                  .set("predicted_mean", stage.predicted_mean[i])
                                  .set("predicted_spread", stage.predicted_spread[i])
                                  .set("measured", stage.measured[i]));
  }
  report_.records.push_back(spaces::Record("stage_summary")
                                .set("stage", stage.stage)
                                .set("candidates", stage.candidates)
                                .set("surrogate_loss", stage.surrogate_loss)
                                .set("spearman", stage.spearman)
                                .set("kendall", stage.kendall)
                                .set("reconstruction_accuracy", stage.reconstruction_accuracy)
                                .set("valid_rate", stage.valid_rate));
  for (const GeneratedArch& g : stage.generated) {
    const bool random = g.parent.tokens.empty();
    report_.records.push_back(
        spaces::Record("generated")
            .set("stage", stage.stage)
            .set("tokens", padded(g.arch))
            .set("parent_tokens", random ? std::vector<std::int64_t>(width_, -1) : padded(g.parent))
            .set("canonical", stage_space(stage.stage + 1)->to_string(g.arch))
            .set("parent_canonical", random ? std::string() : space->to_string(g.parent))
            .set("step_size", g.step_size)
            .set("predicted", g.predicted)
            .set("predicted_improvement", g.predicted_improvement));
  }
  const auto best = std::max_element(stage.measured.begin(), stage.measured.end());
  char line[512];
  std::snprintf(line, sizeof line, "stage %lld: %zu cells evaluated (%lld candidates), best %.4f",
                static_cast<long long>(stage.stage), stage.cells.size(), static_cast<long long>(stage.candidates),
                best == stage.measured.end() ? std::nan("") : *best);
  std::string text = line;
  // What was not computed is said so, not printed as nan: the model is not
  // trained after the last stage, and the first stage has no predictions.
  if (std::isnan(stage.surrogate_loss)) {
    text += "; model not trained after this stage";
  } else {
    std::snprintf(line, sizeof line, "; model loss %.4f", stage.surrogate_loss);
    text += line;
  }
  if (std::isnan(stage.spearman)) {
    text += "; no predictions for this stage's cells (no model before them)";
  } else {
    std::snprintf(line, sizeof line, "; predicted vs measured on unseen cells: Spearman %.3f, Kendall %.3f",
                  stage.spearman, stage.kendall);
    text += line;
  }
  report_.log.push_back(std::move(text));
  if (!std::isnan(stage.reconstruction_accuracy)) {
    std::snprintf(line, sizeof line,
                  "stage %lld: decoder reconstructs %.4f of tokens, %.4f of unmasked reconstructions valid; %zu "
                  "architectures generated for the next stage",
                  static_cast<long long>(stage.stage), stage.reconstruction_accuracy, stage.valid_rate,
                  stage.generated.size());
    report_.log.emplace_back(line);
  }
}

void StagedController::stage_fields(StateFields& fields) {
  spaces::bind_rng(fields, "rng", rng_);
  fields.integer("next_id", next_id_);
  fields.flag("finished", finished_);
  std::string text = fields.saving() ? stages_to_text(stages_, ids_) : std::string();
  fields.text("stages", text);
  if (fields.saving()) return;
  try {
    stages_ = stages_from_text(
        text, [this](std::int64_t stage) { return stage_space(stage); }, ids_);
  } catch (const std::exception& e) {
    fields.fail(e.what());
  }
  if (stages_.empty()) fields.fail("no stages");
  report_ = {};
}

}  // namespace controllers
