#pragma once
// The PNAS surrogate (Liu et al. 2018, "Progressive Neural Architecture
// Search"): an ensemble of predictors of a cell's validation accuracy from
// its tokens, trained on the cells measured so far and used to rank the
// expansions of the beam.
//
// Cells are PNAS token sequences: b blocks of (input 1, input 2, op 1,
// op 2), b = 1..max_blocks; block j reads inputs 0..j+1. Predictors:
// - "lstm" (the paper's): per block two steps, each the concatenation of an
//   input embedding and an op embedding (one shared table for inputs, one
//   for ops), through an LSTM; the final hidden state -> linear -> sigmoid.
//   Scoring folds each embedding table into the LSTM's input weights once
//   per call (a lookup replaces two thirds of the multiply-adds).
// - "mlp" (the paper's comparison): one-hot tokens padded to max_blocks,
//   two ReLU layers, linear -> sigmoid.
// Each of the `predictors` is trained on its own share of the data: all but
// one of k folds ("fold", k = predictors) or a bootstrap sample; the
// ensemble's prediction is their mean, its spread their standard deviation.

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "controllers/torch_state.h"
#include "spaces/infra/options.h"
#include "spaces/search_space.h"

namespace controllers {

struct SurrogateOptions {
  TORCH_ARG(std::string, kind) = "lstm";     // "lstm" or "mlp"
  TORCH_ARG(std::int64_t, predictors) = 5;   // ensemble size
  TORCH_ARG(std::int64_t, hidden) = 100;     // LSTM state / MLP layer width
  TORCH_ARG(std::int64_t, embedding) = 100;  // LSTM input and op embedding width
  TORCH_ARG(std::string, loss) = "l1";       // "l1" or "l2"
  TORCH_ARG(double, lr) = 0.01;              // Adam
  TORCH_ARG(std::int64_t, batch_size) = 64;
  TORCH_ARG(std::string, sampling) = "fold";  // "fold" or "bootstrap"

 public:
  // Names, help and ranges (PNAS registers them as its own options).
  static const spaces::OptionSchema<SurrogateOptions>& schema();
};

// The cells a surrogate reads: up to max_blocks blocks over num_ops ops.
struct CellVocabulary {
  std::int64_t max_blocks = 5;
  std::int64_t num_ops = 8;
  std::int64_t num_inputs() const { return max_blocks + 1; }
};

// One predictor: [N, 4b] int64 tokens -> [N] predicted accuracy in (0, 1).
class PredictorImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& cells) = 0;
};

class SurrogateEnsemble {
 public:
  // Throws std::invalid_argument for an unknown kind, loss or sampling.
  SurrogateEnsemble(CellVocabulary vocabulary, SurrogateOptions options, std::uint64_t seed);

  // Trains every predictor, from its current weights, for `epochs` passes
  // over its share of (cells, accuracies) with a fresh Adam. Cells may have
  // different block counts. Returns the ensemble's mean training loss over
  // the last epoch.
  double fit(const std::vector<std::vector<std::int64_t>>& cells, const std::vector<double>& accuracies,
             std::int64_t epochs);

  struct Scores {
    std::vector<double> mean, spread;
  };
  // Scores every cell (in inference mode, `batch` cells at a time).
  Scores predict(const std::vector<std::vector<std::int64_t>>& cells, std::int64_t batch = 8192) const;
  // The same for one block count: cells [N, 4b] int64.
  Scores predict(const torch::Tensor& cells, std::int64_t batch = 8192) const;

  // Predictor weights ("p<i>.<name>") and the generator that draws their
  // data shares ("rng"); loading throws spaces::StateError naming a missing
  // or misshapen tensor.
  void state_fields(StateFields& fields);

  const CellVocabulary& vocabulary() const { return vocabulary_; }
  const SurrogateOptions& options() const { return options_; }

 private:
  CellVocabulary vocabulary_;
  SurrogateOptions options_;
  std::vector<std::shared_ptr<PredictorImpl>> predictors_;
  spaces::Rng rng_;
};

}  // namespace controllers
