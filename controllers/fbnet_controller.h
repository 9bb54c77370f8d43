#pragma once
// fbnet: FBNet's differentiable search (Wu et al., CVPR 2019), as
// AnnaAraslanova/FBNet's supernet code does it (supernet_functions/
// model_supernet.py, training_functions_supernet.py, config_for_supernet.py),
// with JunrQ/NAS fbnet-pytorch's additive loss as an option.
//
// θ: one [layers, 9] tensor, a row per searched layer of the fbnet space
// over its nine blocks (token order), every entry init_theta (Anna:
// 1/9; every P_θ starts uniform). The mixing weights the supernet runs
// (edge_weights) are a Gumbel-softmax sample m = softmax((θ + g) / τ), g
// Gumbel noise from the controller's own generator, one sample per call —
// one per minibatch, as Anna's code (issue 15 there; JunrQ draws one per
// image, not done here). τ starts at `temperature` and is multiplied by
// exp(-temperature_decay) after every θ epoch (Anna: 5.0 and 0.045).
//
// Schedule: warmup_epochs epochs of weight training alone on the mixed
// graph (Anna's train_thetas_from_the_epoch), then each epoch a weight pass
// on the training split, then a θ pass on the validation split (FBNet's 80 %
// and 20 %: [data] validation_size), both on Gumbel samples; then one
// evaluation of the argmax architecture and `samples` architectures drawn
// from P_θ = softmax(θ) on the trained weights (the paper samples several
// and trains them from scratch; supernet_main_file.py:83-108 "hard" and
// "soft"), which reports table "theta" (P_θ per layer, τ, the argmax
// architecture and its latency in the table).
//
// The θ loss, LAT = sum_l sum_i m[l, i] LAT[l, i] (the table's per-block
// latencies of the searched layers; stem and head are the same for every
// architecture and left out, as FBNet's table has them not):
//   multiplicative (the paper's): CE * alpha * log(LAT)^beta, LAT in
//     microseconds (Anna's table unit; the logarithm is then positive for
//     any real network; LAT is floored at e microseconds so it stays so).
//     Anna's code computes alpha * CE * beta * log(LAT) instead (its issue
//     3); the paper's form is used here.
//   additive (JunrQ's fbnet-pytorch, model.py:136-138): CE + alpha * LAT^beta,
//     LAT in milliseconds.
// Both need the run's latency table ([search] latency_table); alpha = 0
// with the additive form is plain cross-entropy and needs none. The weight
// steps minimise the cross-entropy alone (in both forms the latency term
// only rescales or shifts it by a constant in the weights).
//
// result(): with derive = "argmax", the argmax architecture; with "sample",
// the last evaluation's samples (the core re-measures and ranks them; the
// paper trains each from scratch: train_arch --from-run DIR --rank K).
// A note on the per-epoch scores: at the high temperatures of a short
// search the weights learn the near-uniform mixture, and one path alone on
// them scores near chance; the samples' latencies, θ and the argmax are
// what the epochs show, and the derived architectures are judged by
// training them (train_arch).

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "controllers/controller.h"
#include "controllers/outstanding_proposals.h"
#include "spaces/infra/options.h"

namespace controllers {

// Defaults: Anna's config_for_supernet.py (θ's Adam, τ), the paper (α, β).
struct FbnetOptions {
  TORCH_ARG(double, lr) = 0.01;    // θ Adam learning rate
  TORCH_ARG(double, beta1) = 0.9;  // Adam's betas (Anna: defaults; JunrQ ImageNet: 0.5)
  TORCH_ARG(double, beta2) = 0.999;
  TORCH_ARG(double, weight_decay) = 5e-4;           // θ Adam weight decay
  TORCH_ARG(double, init_theta) = 1.0 / 9.0;        // every θ entry (model_supernet.py:19)
  TORCH_ARG(double, temperature) = 5.0;             // Gumbel-softmax τ at the start
  TORCH_ARG(double, temperature_decay) = 0.045;     // τ *= exp(-decay) after each θ epoch
  TORCH_ARG(std::int64_t, warmup_epochs) = 10;      // weight epochs before θ's first (Anna: 10 of 180)
  TORCH_ARG(std::string, loss) = "multiplicative";  // or "additive"
  TORCH_ARG(double, alpha) = 0.2;
  TORCH_ARG(double, beta) = 0.6;
  TORCH_ARG(std::int64_t, samples) = 5;       // architectures drawn from P_θ at each evaluation, beside the argmax
  TORCH_ARG(std::string, derive) = "argmax";  // the result: "argmax" (hard) or "sample" (the last samples; soft)

 public:
  // Names, help and ranges: the registry's options of "fbnet".
  static const spaces::OptionSchema<FbnetOptions>& schema();
};

class FbnetController : public Controller, public DifferentiableController {
 public:
  // `space` must be an fbnet space; throws spaces::OptionError otherwise,
  // and for the multiplicative loss with alpha 0 or derive = "sample"
  // without samples.
  FbnetController(spaces::SpacePtr space, FbnetOptions options, std::uint64_t seed);

  std::string name() const override { return "fbnet"; }
  // Weights alone in the first warmup_epochs epochs, then weights and θ;
  // each epoch ends with one evaluation of 1 + samples proposals.
  std::vector<Phase> phases(std::int64_t epoch) const override;
  // The argmax architecture, then n - 1 drawn from P_θ.
  std::vector<Proposal> propose(int n) override;
  // n architectures drawn from P_θ.
  std::vector<spaces::Arch> sample(int n) override;
  // Reports table "theta"; ends the epoch (τ decays after a θ epoch).
  UpdateStats observe(const std::vector<Feedback>& feedback) override;
  // As `derive` says (see above).
  std::vector<spaces::Arch> result() const override;
  Report take_report() override { return std::exchange(report_, {}); }
  DifferentiableController* differentiable() override { return this; }
  // Reads the latency table's per-block milliseconds. Throws
  // spaces::OptionError when the loss needs a table and the run has none,
  // or the table's layers do not match the space.
  void use_cost_model(CostModel* model) override;

  std::vector<std::string> candidate_ops() const override;
  // One [layers, 9] Gumbel-softmax sample of θ at the current τ.
  std::vector<torch::Tensor> edge_weights() override;
  std::vector<torch::Tensor> architecture_parameters() override { return {theta_}; }
  int gradient_order() const override { return 1; }
  UpdateStats architecture_step(const std::vector<torch::Tensor>& gradients, double validation_loss) override;
  // The loss of the header's comment. Throws std::logic_error when the
  // loss needs latencies and use_cost_model gave none.
  torch::Tensor architecture_loss(const torch::Tensor& cross_entropy,
                                  const std::vector<torch::Tensor>& edge_weights) override;

  // The current Gumbel-softmax temperature (floored at 1e-3).
  double temperature() const;
  // The architecture of each layer's largest θ (ties: the lower token).
  spaces::Arch argmax() const;
  // The table's latency (ms, searched layers only) of `arch`; NaN without
  // a table. Throws spaces::ArchError for an architecture of another space.
  double table_latency_ms(const spaces::Arch& arch) const;

 protected:
  // θ, Adam's moments, the generator, epochs done, the last samples and
  // the outstanding proposal ids.
  void state_fields(StateFields& fields) override;

 private:
  std::vector<spaces::Arch> draw(int n);
  bool needs_latency() const;

  spaces::SpacePtr space_;
  FbnetOptions options_;
  std::int64_t layers_ = 0;
  torch::Tensor theta_;       // [layers, 9]
  torch::Tensor latency_ms_;  // [layers, 9], undefined without a table
  std::unique_ptr<torch::optim::Adam> adam_;
  at::Generator generator_;
  std::int64_t epochs_done_ = 0;
  std::vector<spaces::Arch> last_samples_;
  OutstandingProposals ids_;
  Report report_;
};

}  // namespace controllers
