#pragma once
// pnas: Progressive Neural Architecture Search (Liu et al. 2018) over the
// pnas(blocks=B) space. Stage 1 lists every distinct one-block cell
// (spaces/completions.h); all are evaluated and the surrogate ensemble
// (pnas_surrogate.h) is trained on them. Each later stage b expands every
// cell of the previous stage's beam by one block in every legal way
// (de-duplicated across the beam), scores the expansions with the
// surrogate, keeps the top `beam` (K), has them evaluated, and fine-tunes
// the surrogate on everything measured so far. After stage B the result is
// the last beam ranked by measured accuracy.
//
// As a Controller: propose(n) hands out the current stage's cells not yet
// proposed (fewer than n, or none, while the stage waits for feedback);
// observe() records their accuracies and, once the stage is complete,
// trains the surrogate and opens the next stage. A stage-b cell is an
// architecture of the space "pnas(blocks=b)". finished() turns true after
// stage B. sample(n) draws from the current stage's cells, for training
// shared weights over the beam; a newly opened stage proposes nothing until
// sample() has been called once, so that with weight sharing the store is
// trained on the new beam (a child phase) before the beam is evaluated.
// The search loop runs stage-b cells on the B-block shared store
// (NetworkFamily::runs_smaller) and stops when finished() turns true.

#include <cstdint>
#include <string>
#include <vector>

#include "controllers/pnas_surrogate.h"
#include "controllers/staged_controller.h"

namespace controllers {

struct PnasOptions {
  TORCH_ARG(std::int64_t, beam) = 256;             // K, cells kept per stage
  TORCH_ARG(std::int64_t, surrogate_epochs) = 20;  // training epochs after each stage
  TORCH_ARG(SurrogateOptions, surrogate) = {};
};

class PnasController : public StagedController {
 public:
  // `space` must be a pnas space; throws spaces::OptionError otherwise.
  PnasController(spaces::SpacePtr space, PnasOptions options, std::uint64_t seed);

  std::string name() const override { return "pnas"; }
  ControllerState state() const override;
  void load_state(const ControllerState& state) override;

  // The newest complete stage's cells, best measured first.
  std::vector<std::pair<spaces::Arch, double>> ranking() const;

 private:
  spaces::SpacePtr stage_space(std::int64_t blocks) const;
  void open_stage(std::int64_t blocks);
  double close_stage() override;

  spaces::SpacePtr space_;
  std::int64_t max_blocks_;
  PnasOptions options_;
  SurrogateEnsemble surrogate_;
};

}  // namespace controllers
