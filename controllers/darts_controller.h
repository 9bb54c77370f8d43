#pragma once
// darts: Differentiable Architecture Search (Liu, Simonyan, Yang, ICLR
// 2019), as quark0/darts's cnn/ code does it (model_search.py,
// architect.py, train_search.py).
//
// The continuous relaxation of the darts space: every edge of a cell (node
// i from each earlier state j) is a MixedOp, the sum of DARTS's 8
// PRIMITIVES ('none' first) weighted by softmax(α) over the edge's row.
// α is two [edges, 8] tensors (normal and reduction cell; 14 edges for 4
// nodes), initialised 1e-3 * randn from the seed, and trained by its own
// Adam, apart from the weights' optimizer (DARTS #37). The search core
// computes their gradient (first order: of the validation loss; second
// order: unrolled through one virtual SGD step of the weights, with the
// finite-difference Hessian-vector product; childnets/architecture_gradient.h)
// and hands it to architecture_step().
//
// Schedule, each epoch: train the weights on the mixed graph with an
// architecture step on a validation minibatch before each weight step
// (DARTS's alternation; the validation split is DARTS's α half of the
// training data; in the first warmup_epochs epochs, weight steps only, as
// PC-DARTS does), then evaluate the derived genotype once. Each epoch's
// evaluation reports a record of table "alpha": softmax(α) per edge of
// both cells (normal, reduce: [edges, 8]), the derived genotype and its
// share of skip_connect (collapse watch, as P-DARTS counts it).
//
// The genotype is derived as model_search.py's genotype(): per node the
// two incoming edges whose strongest op other than 'none' is strongest
// (ties: the earlier edge), each with that op (ties: the earlier op), the
// stronger edge first. It is an architecture of the darts space (tokens
// index the space's ops, which lack 'none' unless allow_none).

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "controllers/controller.h"
#include "controllers/outstanding_proposals.h"
#include "spaces/infra/options.h"

namespace controllers {

// Defaults: train_search.py and architect.py.
struct DartsOptions {
  TORCH_ARG(std::int64_t, order) = 1;  // 1: first order (default); 2: --unrolled
  TORCH_ARG(double, lr) = 3e-4;        // --arch_learning_rate
  TORCH_ARG(double, beta1) = 0.5;      // Adam betas (architect.py)
  TORCH_ARG(double, beta2) = 0.999;
  TORCH_ARG(double, weight_decay) = 1e-3;  // --arch_weight_decay
  TORCH_ARG(double, init_scale) = 1e-3;    // α = init_scale * randn (model_search.py)
  // Epochs of weight training before α's first step; DARTS: 0 (α steps
  // from the first batch); PC-DARTS (yuhuixu1993/PC-DARTS train_search.py,
  // `if epoch >= 15: architect.step(...)`): 15 of 50.
  TORCH_ARG(std::int64_t, warmup_epochs) = 0;

 public:
  // Names, help and ranges: the registry's options of "darts".
  static const spaces::OptionSchema<DartsOptions>& schema();
};

class DartsController : public Controller, public DifferentiableController {
 public:
  // `space` must be a darts space; throws spaces::OptionError otherwise.
  DartsController(spaces::SpacePtr space, DartsOptions options, std::uint64_t seed);

  std::string name() const override { return "darts"; }
  // Weights only (no architecture steps) in the first warmup_epochs epochs.
  std::vector<Phase> phases(std::int64_t epoch) const override;
  // The derived genotype (one proposal, however many are asked for).
  std::vector<Proposal> propose(int n) override;
  // The derived genotype, n times.
  std::vector<spaces::Arch> sample(int n) override;
  // Records the evaluation of the derived genotype and reports α (table
  // "alpha"); learns nothing (α learns in architecture_step).
  UpdateStats observe(const std::vector<Feedback>& feedback) override;
  std::vector<spaces::Arch> result() const override { return {derive()}; }
  Report take_report() override { return std::exchange(report_, {}); }
  DifferentiableController* differentiable() override { return this; }

  std::vector<std::string> candidate_ops() const override { return candidate_ops_; }
  std::vector<torch::Tensor> edge_weights() override;
  std::vector<torch::Tensor> architecture_parameters() override { return {alpha_normal_, alpha_reduce_}; }
  int gradient_order() const override { return static_cast<int>(options_.order()); }
  UpdateStats architecture_step(const std::vector<torch::Tensor>& gradients, double validation_loss) override;

  // The genotype of the current α.
  spaces::Arch derive() const;
  // Of given per-edge weights: {normal, reduce}, each [edges, 8] (ops as
  // candidate_ops(), any floating dtype). Throws std::invalid_argument for
  // another count or shape.
  spaces::Arch derive(const std::vector<torch::Tensor>& weights) const;
  // Share of skip_connect among the ops of `arch`.
  double skip_connect_share(const spaces::Arch& arch) const;

 protected:
  // α (both cells), Adam's moments and the outstanding proposal ids.
  void state_fields(StateFields& fields) override;

 private:
  // softmax(α) per edge, {normal, reduce}, in the graph of α unless under NoGradGuard.
  std::vector<torch::Tensor> softmax_weights() const;

  spaces::SpacePtr space_;
  DartsOptions options_;
  int nodes_ = 4;
  std::vector<std::string> candidate_ops_;
  std::vector<std::int64_t> space_op_of_;  // candidate op -> the space's op token (-1: 'none')
  torch::Tensor alpha_normal_, alpha_reduce_;
  std::unique_ptr<torch::optim::Adam> adam_;
  OutstandingProposals ids_;
  Report report_;
};

}  // namespace controllers
