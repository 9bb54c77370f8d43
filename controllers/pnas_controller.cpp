#include "controllers/pnas_controller.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "controllers/rank_correlation.h"
#include "spaces/completions.h"
#include "spaces/infra/errors.h"
#include "spaces/infra/number_text.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

using spaces::kNaN;

std::vector<std::vector<std::int64_t>> tokens_of(const std::vector<spaces::Arch>& cells) {
  std::vector<std::vector<std::int64_t>> tokens;
  for (const spaces::Arch& cell : cells) tokens.push_back(cell.tokens);
  return tokens;
}

std::int64_t blocks_of(const spaces::SearchSpace& space) {
  if (space.name() != "pnas") {
    throw spaces::OptionError("controller pnas searches the pnas space, not " + space.spec());
  }
  return space.params().get_int("blocks");
}

}  // namespace

PnasController::PnasController(spaces::SpacePtr space, PnasOptions options, std::uint64_t seed)
    : StagedController(seed + 1, space->num_tokens()),
      space_(std::move(space)),
      max_blocks_(blocks_of(*space_)),
      options_(std::move(options)),
      surrogate_(CellVocabulary{max_blocks_, static_cast<std::int64_t>(space_->op_names().size())},
                 options_.surrogate(), seed) {
  open_stage(1);
}

spaces::SpacePtr PnasController::stage_space(std::int64_t blocks) const {
  return spaces::make_space("pnas(blocks=" + std::to_string(blocks) + ")");
}

// Stage 1: every distinct one-block cell. Later stages: the distinct
// expansions of the previous beam, the top K by the surrogate.
void PnasController::open_stage(std::int64_t blocks) {
  const spaces::SpacePtr space = stage_space(blocks);
  StageRecord stage;
  stage.stage = blocks;
  std::vector<spaces::Arch> candidates;
  if (blocks == 1) {
    candidates = spaces::distinct_completions(*space, {});
  } else {
    std::unordered_set<std::uint64_t> seen;
    for (const spaces::Arch& parent : stages_.back().cells) {
      for (spaces::Arch& child : spaces::distinct_completions(*space, parent.tokens, seen)) {
        candidates.push_back(std::move(child));
      }
    }
  }
  stage.candidates = static_cast<std::int64_t>(candidates.size());
  if (blocks == 1) {
    stage.cells = std::move(candidates);
    stage.predicted_mean.assign(stage.cells.size(), kNaN);
    stage.predicted_spread.assign(stage.cells.size(), kNaN);
  } else {
    const SurrogateEnsemble::Scores scores = surrogate_.predict(tokens_of(candidates));
    std::vector<std::size_t> order(candidates.size());
    std::iota(order.begin(), order.end(), 0);
    const std::size_t keep = std::min(order.size(), static_cast<std::size_t>(options_.beam()));
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(),
                      [&](std::size_t a, std::size_t b) { return scores.mean[a] > scores.mean[b]; });
    for (std::size_t i = 0; i < keep; ++i) {
      stage.cells.push_back(candidates[order[i]]);
      stage.predicted_mean.push_back(scores.mean[order[i]]);
      stage.predicted_spread.push_back(scores.spread[order[i]]);
    }
  }
  StagedController::open_stage(std::move(stage));
}

double PnasController::close_stage() {
  StageRecord& stage = stages_.back();
  std::vector<std::vector<std::int64_t>> cells;
  std::vector<double> accuracies;
  for (const StageRecord& done : stages_) {
    for (std::size_t i = 0; i < done.cells.size(); ++i) {
      cells.push_back(done.cells[i].tokens);
      accuracies.push_back(done.measured[i]);
    }
  }
  if (stage.stage > 1) {  // stage 1 had no predictions
    stage.spearman = spearman(stage.predicted_mean, stage.measured);
    stage.kendall = kendall_tau(stage.predicted_mean, stage.measured);
  }
  if (stage.stage == max_blocks_) {  // nothing left to predict: no training
    finished_ = true;
    return stage.surrogate_loss;
  }
  const double loss = stage.surrogate_loss = surrogate_.fit(cells, accuracies, options_.surrogate_epochs());
  open_stage(stage.stage + 1);
  return loss;
}

std::vector<std::pair<spaces::Arch, double>> PnasController::ranking() const {
  std::vector<std::pair<spaces::Arch, double>> ranked;
  for (auto it = stages_.rbegin(); it != stages_.rend(); ++it) {
    if (!all_measured(*it)) continue;
    for (std::size_t i = 0; i < it->cells.size(); ++i) ranked.emplace_back(it->cells[i], it->measured[i]);
    break;
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return ranked;
}

std::vector<spaces::Arch> PnasController::result() const {
  std::vector<spaces::Arch> archs;
  for (auto& [arch, measured] : ranking()) archs.push_back(arch);
  return archs;
}

// State: the surrogate's weights and generator, and the stages.
void PnasController::state_fields(StateFields& fields) {
  StateFields surrogate = fields.scope("surrogate");
  surrogate_.state_fields(surrogate);
  stage_fields(fields);
}

const spaces::OptionSchema<PnasOptions>& PnasOptions::schema() {
  using O = PnasOptions;
  static const auto schema =
      spaces::OptionSchema<O>()
          .field(
              "beam", [](O & o) -> auto& { return o.beam(); }, "cells kept and evaluated per stage (K)", 1, 1e6)
          .field(
              "surrogate_epochs", [](O & o) -> auto& { return o.surrogate_epochs(); },
              "surrogate training epochs after each stage", 1, 1e5)
          .nested([](O & o) -> auto& { return o.surrogate(); }, SurrogateOptions::schema(), {{"kind", "surrogate"}});
  return schema;
}

REGISTER_CONTROLLER(
    pnas, "PNAS: progressive beam search over pnas cells, ranked by an LSTM (or MLP) surrogate ensemble",
    Capabilities{.spaces = {"pnas"}, .staged = true}, PnasOptions::schema().specs(),
    [](spaces::SpacePtr space, const spaces::Params& params, std::uint64_t seed) -> std::unique_ptr<Controller> {
      return std::make_unique<PnasController>(std::move(space), PnasOptions::schema().read(params), seed);
    });

}  // namespace controllers
