#pragma once
// nao: Neural Architecture Optimization with weight sharing, NAO-WS (Luo
// et al. 2018, "Neural Architecture Optimization"). Works in cycles over a
// pool of architectures; cycle 1's pool is `seed_archs` distinct random
// architectures.
//   1. The search core trains the shared weights on the pool: sample()
//      draws pool architectures uniformly, one per minibatch (one cycle per
//      epoch, as StagedController schedules).
//   2. propose() hands out every pool architecture once; the loop scores
//      each on a validation minibatch with the shared weights.
//   3. When the whole pool is scored, the encoder–predictor–decoder
//      (nao_model.h) trains for `epochs` epochs with a fresh Adam on the
//      pool: scores min-max normalised to [0, 1], loss
//      trade_off * MSE(predictor) + (1 - trade_off) * cross-entropy of the
//      decoder's reconstruction; with `symmetry`, each epoch every example
//      has one node per cell with its two (input, op) pairs swapped (the
//      same cell; the score is kept).
//   4. Generation: the `top_k` best-scored architectures are encoded and
//      each encoder output moved along the predictor's gradient,
//      h' = h + eta * df/dh, for eta = 1, 2, ... up to max_step_size; the
//      masked greedy decoding of h' is kept when it is in neither the pool
//      nor what was generated already, until `new_archs` are collected.
//      Then `random_archs` new random architectures are added.
//   5. The next pool is the best of the old one (so its size stays
//      seed_archs, as in NAO's code), then the generated, then the random
//      ones, each predicted by the trained model before it is measured.
// After `cycles` cycles finished() is true; the loop's final re-evaluation
// picks the best architectures by shared-weight validation accuracy.
//
// Each finished cycle is a StageRecord: the pool with the model's
// predictions (made before measuring) and the measured scores, the rank
// correlation on the architectures the model had not been trained on, the
// training loss, the decoder's reconstruction accuracy and validity rate,
// and the architectures generated for the next cycle.

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "controllers/nao_model.h"
#include "controllers/staged_controller.h"
#include "spaces/infra/options.h"

namespace controllers {

// Defaults: NAO-WS's CIFAR-10 search script (NAO_V1 train_search_cifar10.sh).
struct NaoOptions {
  TORCH_ARG(std::int64_t, seed_archs) = 1000;  // pool size (cycle 1: random architectures)
  TORCH_ARG(std::int64_t, cycles) = 5;         // scoring rounds; the model trains and generates after all but the last
  TORCH_ARG(std::int64_t, top_k) = 100;        // parents of generation
  TORCH_ARG(std::int64_t, new_archs) = 500;    // generated per cycle (at most)
  TORCH_ARG(std::int64_t, random_archs) = 50;  // random additions per cycle
  TORCH_ARG(std::int64_t, max_step_size) = 100;  // eta = 1 .. max_step_size
  TORCH_ARG(std::int64_t, epochs) = 1000;        // model training epochs per cycle
  TORCH_ARG(std::int64_t, batch_size) = 100;
  TORCH_ARG(double, lr) = 1e-3;           // Adam
  TORCH_ARG(double, weight_decay) = 0.0;  // Adam L2 term (NAO_V1: 0; 1e-4 kept the decoder below 99% reconstruction)
  TORCH_ARG(double, grad_clip) = 5.0;     // global norm
  TORCH_ARG(double, trade_off) = 0.8;     // lambda: predictor loss share
  TORCH_ARG(bool, symmetry) = true;       // swap augmentation
  TORCH_ARG(NaoModelOptions, model) = {};

 public:
  // Names, help and ranges: the registry's options of "nao".
  static const spaces::OptionSchema<NaoOptions>& schema();
};

class NaoController : public StagedController {
 public:
  // Throws spaces::OptionError for a space NAO cannot read (nao_model.h) or
  // a pool larger than the space.
  NaoController(spaces::SpacePtr space, NaoOptions options, std::uint64_t seed);

  std::string name() const override { return "nao"; }

  // The pieces of a cycle, public for tests and benchmarks:
  // Trains the model on (archs, targets in [0, 1]) for `epochs`; returns
  // the last epoch's mean loss.
  double train(const std::vector<spaces::Arch>& archs, const std::vector<double>& targets, std::int64_t epochs);
  // Predicted scores, in inference mode.
  std::vector<double> predict(const std::vector<spaces::Arch>& archs);
  // Reconstruction of `archs` from their own encodings: token accuracy of
  // the masked greedy decoding, and the share of unmasked decodings that
  // are valid architectures.
  std::pair<double, double> reconstruction(const std::vector<spaces::Arch>& archs);
  // Step 4 from `parents`: up to `count` architectures outside `exclude`
  // (canonical hashes; the generated ones are added to it).
  std::vector<GeneratedArch> generate(const std::vector<spaces::Arch>& parents, std::int64_t count,
                                      std::unordered_set<std::uint64_t>& exclude);
  // One node per cell with its two (input, op) pairs swapped, when the space accepts the result.
  spaces::Arch swap_symmetric(const spaces::Arch& arch);

  const NaoVocabulary& vocabulary() const { return vocabulary_; }
  NaoModel& model() { return model_; }

 protected:
  // The model's weights and generator, and the cycles.
  void state_fields(StateFields& fields) override;

 private:
  // Steps 3 to 5 of the cycle (the class comment).
  double close_stage() override;
  std::int64_t last_stage() const override { return options_.cycles(); }
  spaces::SpacePtr stage_space(std::int64_t) const override { return space_; }

  spaces::SpacePtr space_;
  NaoOptions options_;
  NaoVocabulary vocabulary_;
  NaoModel model_;
  // Node pairs that symmetry may swap: per cell, the (slot 0, slot 1) token positions of each node.
  std::vector<std::vector<std::vector<std::pair<std::size_t, std::size_t>>>> swappable_;
};

}  // namespace controllers
