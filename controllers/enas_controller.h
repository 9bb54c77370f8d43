#pragma once
// ENAS controller: Pham, Guan, Zoph, Le, Dean, "Efficient Neural
// Architecture Search via Parameter Sharing", ICML 2018; defaults from the
// public code (micro_controller.py, general_controller.py).
//
// A one-layer LSTM samples the decisions in order, batched over the
// architectures of a proposal. Cell spaces (enas_micro, nao): per node two
// input indices chosen by attention over the anchors of earlier nodes,
// v . tanh(W1 h_anchor + W2 h), then two ops from a linear layer; the
// chosen op's embedding (or the chosen anchor) is the next input; the
// reduction cell continues the normal cell's LSTM state. Macro space: per
// layer an op, then one skip bit per earlier layer from the same attention
// (two-way logits [-q, q]), with a KL penalty towards skip_target.
// Logits pass through tanh_constant * tanh(logits / temperature) (op logits
// through tanh_constant / op_tanh_reduce). REINFORCE: reward + entropy_weight
// * entropy against an exponential-moving-average baseline; Adam.
//
// Schedule, each epoch: train the shared weights on paths it samples, then
// evaluate ([controller] updates_per_epoch updates of archs_per_update).

#include <torch/torch.h>

#include <map>

#include "controllers/controller.h"
#include "spaces/infra/options.h"

namespace controllers {

// Defaults from ENAS's scripts (cifar10_micro_search.sh, cifar10_macro_search.sh).
struct EnasOptions {
  TORCH_ARG(std::int64_t, lstm_size) = 64;
  TORCH_ARG(double, tanh_constant) = 1.10;
  TORCH_ARG(double, op_tanh_reduce) = 2.5;
  TORCH_ARG(double, temperature) = 0.0;  // 0: off
  TORCH_ARG(double, entropy_weight) = 1e-4;
  TORCH_ARG(double, baseline_decay) = 0.99;
  TORCH_ARG(double, lr) = 3.5e-3;
  TORCH_ARG(double, skip_target) = 0.4;
  TORCH_ARG(double, skip_weight) = 0.8;

 public:
  // Names, help and ranges: the registry's options of "enas".
  static const spaces::OptionSchema<EnasOptions>& schema();
};

// The controller's network; a module so its parameters checkpoint by name.
class EnasPolicyImpl : public torch::nn::Module {
 public:
  EnasPolicyImpl(std::int64_t lstm_size, std::int64_t num_ops);
  torch::nn::LSTMCell lstm{nullptr};
  torch::Tensor start;  // the learned first input, [1, H]
  torch::nn::Embedding op_embedding{nullptr};
  torch::nn::Linear op_logits{nullptr}, attention_anchor{nullptr}, attention_query{nullptr}, attention_score{nullptr};
};
TORCH_MODULE(EnasPolicy);

// One batched pass: the tokens and, per architecture, the log-probability
// of all its decisions, the summed entropy of their distributions and the
// macro space's skip penalty (KL to the target rate).
struct Rollout {
  torch::Tensor tokens;        // int64 [n, T]
  torch::Tensor log_prob;      // [n]
  torch::Tensor entropy;       // [n]
  torch::Tensor skip_penalty;  // [n]
};

class EnasController : public Controller {
 public:
  EnasController(spaces::SpacePtr space, EnasOptions options, std::uint64_t seed);

  std::string name() const override { return "enas"; }
  std::vector<Phase> phases(std::int64_t /*epoch*/) const override { return {TrainWeightsPhase{PathSource::kSampled}, EvaluatePhase{}}; }
  std::vector<Proposal> propose(int n) override;
  std::vector<spaces::Arch> sample(int n) override;
  // One REINFORCE step over the given proposals (ENAS aggregates 10).
  // Proposals not observed in the call are dropped: after the update their
  // sampling graphs are stale.
  UpdateStats observe(const std::vector<Feedback>& feedback) override;

  // Samples n architectures (forced == nullptr) or scores the given ones
  // (teacher forcing), in one batched pass; differentiable. score == false
  // only samples: log_prob, entropy and skip_penalty stay zero.
  Rollout rollout(std::int64_t n, const std::vector<spaces::Arch>* forced = nullptr, bool score = true);
  double baseline() const { return baseline_; }
  EnasPolicy policy() const { return policy_; }

 protected:
  // The policy's weights, Adam's moments, the baseline, the sampling
  // generator and the next id; taken between updates.
  void state_fields(StateFields& fields) override;

 private:
  // One Arch per row of an int64 [n, T] token tensor.
  std::vector<spaces::Arch> archs_of(const torch::Tensor& tokens) const;
  Rollout rollout_cells(std::int64_t n, const torch::Tensor* forced, bool score);
  Rollout rollout_macro(std::int64_t n, const torch::Tensor* forced, bool score);

  spaces::SpacePtr space_;
  EnasOptions options_;
  EnasPolicy policy_{nullptr};
  std::unique_ptr<torch::optim::Adam> adam_;
  at::Generator generator_;
  double baseline_ = 0.0;
  std::int64_t next_id_ = 0;
  struct Pending {
    torch::Tensor log_prob, entropy, skip_penalty;
  };
  std::map<std::int64_t, Pending> pending_;
};

}  // namespace controllers
