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
// As a Controller (StagedController: one stage per epoch, weight training
// on the stage's cells, then its evaluation): propose(n) hands out the
// current stage's cells not yet proposed; observe() records their
// accuracies and, once the stage is complete, trains the surrogate and
// opens the next stage. A stage-b cell is an architecture of the space
// "pnas(blocks=b)"; the search core runs them on the B-block shared store
// (NetworkFamily::runs_smaller). finished() turns true after stage B; the
// result is the last stage's beam by measured accuracy.

#include <cstdint>
#include <string>
#include <vector>

#include "controllers/pnas_surrogate.h"
#include "controllers/staged_controller.h"
#include "spaces/infra/options.h"

namespace controllers {

// Defaults: the paper's K = 256 and PNAS's surrogate settings (pnas_surrogate.h).
struct PnasOptions {
  TORCH_ARG(std::int64_t, beam) = 256;             // K, cells kept per stage
  TORCH_ARG(std::int64_t, surrogate_epochs) = 20;  // training epochs after each stage
  TORCH_ARG(SurrogateOptions, surrogate) = {};

 public:
  // Names, help and ranges: the registry's options of "pnas".
  static const spaces::OptionSchema<PnasOptions>& schema();
};

class PnasController : public StagedController {
 public:
  // `space` must be a pnas space; throws spaces::OptionError otherwise.
  PnasController(spaces::SpacePtr space, PnasOptions options, std::uint64_t seed);

  std::string name() const override { return "pnas"; }
  // The newest complete stage's cells, best measured first.
  std::vector<spaces::Arch> result() const override;

  // The newest complete stage's cells with their measurements, best first.
  std::vector<std::pair<spaces::Arch, double>> ranking() const;

 protected:
  void state_fields(StateFields& fields) override;

 private:
  spaces::SpacePtr stage_space(std::int64_t blocks) const override;
  std::int64_t last_stage() const override { return max_blocks_; }
  void open_stage(std::int64_t blocks);
  double close_stage() override;

  spaces::SpacePtr space_;
  std::int64_t max_blocks_;
  PnasOptions options_;
  SurrogateEnsemble surrogate_;
};

}  // namespace controllers
