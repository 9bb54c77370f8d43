#pragma once
// StageRecord: one stage of a staged strategy (PNAS's block stages, NAO's
// cycles): the cells it evaluated, what its model predicted for them
// beforehand and what was measured, how well the predictions ranked them,
// and (NAO) what it generated for the next stage.

#include <cstdint>
#include <vector>

#include "spaces/arch.h"
#include "spaces/infra/number_text.h"

namespace controllers {

// An architecture a model-based strategy (NAO) generated for its next
// stage: from which parent, at which step size, with what predicted score.
// A random addition has no parent (empty tokens) and NaN numbers.
struct GeneratedArch {
  spaces::Arch arch, parent;
  double step_size = 0.0;
  double predicted = 0.0;              // the model's score for the generated architecture
  double predicted_improvement = 0.0;  // predicted minus the parent's predicted score
};

struct StageRecord {
  std::int64_t stage = 0;       // 1-based (PNAS: the block count; NAO: the cycle)
  std::int64_t candidates = 0;  // cells scored to choose these
  std::vector<spaces::Arch> cells;
  std::vector<double> predicted_mean, predicted_spread;  // NaN where nothing predicted (PNAS stage 1)
  std::vector<double> measured;                          // NaN until measured
  double surrogate_loss = spaces::kNaN;  // after training on everything measured through this stage (NaN: no training)
  // Predicted against measured, on cells the model had not seen (NaN: none).
  double spearman = spaces::kNaN, kendall = spaces::kNaN;
  // Strategies with a decoder (NAO), after this stage's training: token
  // accuracy of reconstructing the stage's cells, and the share of
  // unmasked greedy reconstructions the space accepts. NaN otherwise.
  double reconstruction_accuracy = spaces::kNaN, valid_rate = spaces::kNaN;
  std::vector<GeneratedArch> generated;  // for the next stage (NAO)
};

// Whether every cell of `stage` has its measurement.
bool all_measured(const StageRecord& stage);

}  // namespace controllers
