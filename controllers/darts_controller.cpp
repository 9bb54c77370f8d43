#include "controllers/darts_controller.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "controllers/tensor_record.h"
#include "spaces/cell_space.h"
#include "spaces/darts_space.h"
#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

const spaces::CellSpace& darts_space(const spaces::SpacePtr& space) {
  const auto* cells = dynamic_cast<const spaces::CellSpace*>(space.get());
  if (space->name() != "darts" || cells == nullptr) {
    throw spaces::OptionError("controller darts searches the darts space, not " + space->spec());
  }
  return *cells;
}

}  // namespace

DartsController::DartsController(spaces::SpacePtr space, DartsOptions options, std::uint64_t seed)
    : space_(std::move(space)), options_(options) {
  const spaces::CellLayout& layout = darts_space(space_).layout();
  nodes_ = layout.nodes;
  candidate_ops_ = spaces::darts_primitives();
  for (const std::string& op : candidate_ops_) {
    const auto& ops = space_->op_names();
    const auto it = std::find(ops.begin(), ops.end(), op);
    space_op_of_.push_back(op == "none" || it == ops.end() ? -1 : static_cast<std::int64_t>(it - ops.begin()));
  }
  const std::int64_t edges = layout.candidate_edges();
  const auto k = static_cast<std::int64_t>(candidate_ops_.size());
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  alpha_normal_ = (options_.init_scale() * torch::randn({edges, k}, generator)).requires_grad_(true);
  alpha_reduce_ = (options_.init_scale() * torch::randn({edges, k}, generator)).requires_grad_(true);
  adam_ = std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{alpha_normal_, alpha_reduce_},
                                               torch::optim::AdamOptions(options_.lr())
                                                   .betas({options_.beta1(), options_.beta2()})
                                                   .weight_decay(options_.weight_decay()));
}

std::vector<Phase> DartsController::phases(std::int64_t epoch) const {
  return {TrainWeightsPhase{PathSource::kMixed, /*architecture_steps=*/epoch >= options_.warmup_epochs()},
          EvaluatePhase{.updates = 1, .per_update = 1}};
}

std::vector<torch::Tensor> DartsController::softmax_weights() const {
  return {torch::softmax(alpha_normal_, -1), torch::softmax(alpha_reduce_, -1)};
}

std::vector<torch::Tensor> DartsController::edge_weights() { return softmax_weights(); }

spaces::Arch DartsController::derive() const {
  torch::NoGradGuard no_grad;
  return derive(softmax_weights());
}

spaces::Arch DartsController::derive(const std::vector<torch::Tensor>& weights) const {
  const auto k = candidate_ops_.size();
  const std::vector<std::int64_t> shape = {alpha_normal_.size(0), static_cast<std::int64_t>(k)};
  if (weights.size() != 2 || weights[0].sizes() != shape || weights[1].sizes() != shape) {
    throw std::invalid_argument("darts: derive takes 2 weight tensors (normal, reduce) of shape [" +
                                std::to_string(shape[0]) + ", " + std::to_string(shape[1]) + "]");
  }
  std::vector<std::int64_t> tokens;
  for (const torch::Tensor& cell : weights) {
    const std::vector<double> w = tensor_values(cell);
    std::size_t start = 0;
    for (int node = 0; node < nodes_; ++node) {
      const std::size_t inputs = static_cast<std::size_t>(node) + 2;
      // Per input: its strongest op other than 'none' (the earlier op on ties).
      std::vector<std::size_t> best_op(inputs);
      for (std::size_t j = 0; j < inputs; ++j) {
        std::size_t best = k;
        for (std::size_t op = 0; op < k; ++op) {
          if (space_op_of_[op] < 0) continue;
          if (best == k || w[(start + j) * k + op] > w[(start + j) * k + best]) best = op;
        }
        best_op[j] = best;
      }
      std::vector<std::size_t> order(inputs);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return w[(start + a) * k + best_op[a]] > w[(start + b) * k + best_op[b]];
      });
      for (std::size_t slot = 0; slot < 2; ++slot) {
        tokens.push_back(static_cast<std::int64_t>(order[slot]));
        tokens.push_back(space_op_of_[best_op[order[slot]]]);
      }
      start += inputs;
    }
  }
  spaces::Arch arch = space_->make_arch(std::move(tokens));
  space_->validate(arch);
  return arch;
}

double DartsController::skip_connect_share(const spaces::Arch& arch) const {
  const auto& ops = space_->op_names();
  const auto skip = std::find(ops.begin(), ops.end(), "skip_connect") - ops.begin();
  std::int64_t count = 0, total = 0;
  for (std::size_t i = 1; i < arch.tokens.size(); i += 2) {
    ++total;
    count += arch.tokens[i] == skip ? 1 : 0;
  }
  return total == 0 ? 0.0 : double(count) / double(total);
}

std::vector<Proposal> DartsController::propose(int n) {
  if (n <= 0) return {};
  return {Proposal{ids_.issue(), derive()}};
}

std::vector<spaces::Arch> DartsController::sample(int n) {
  return std::vector<spaces::Arch>(static_cast<std::size_t>(std::max(n, 0)), derive());
}

UpdateStats DartsController::observe(const std::vector<Feedback>& feedback) {
  ids_.settle(feedback, "darts");
  torch::NoGradGuard no_grad;
  const std::vector<torch::Tensor> weights = softmax_weights();
  const spaces::Arch genotype = derive(weights);
  const double skip_share = skip_connect_share(genotype);
  report_.records.push_back(spaces::Record("alpha")
                                .set("normal", number_array(weights[0]))
                                .set("reduce", number_array(weights[1]))
                                .set("genotype", space_->to_string(genotype))
                                .set("skip_connect_share", skip_share));
  report_.log.push_back("genotype " + space_->to_string(genotype) + "; skip_connect share " +
                        std::to_string(skip_share));
  UpdateStats stats;
  stats.count = static_cast<std::int64_t>(feedback.size());
  stats.mean_reward = mean_reward(feedback);
  return stats;
}

UpdateStats DartsController::architecture_step(const std::vector<torch::Tensor>& gradients, double validation_loss) {
  if (gradients.size() != 2) throw std::invalid_argument("darts: architecture_step takes 2 gradients (normal, reduce)");
  adam_->zero_grad();
  alpha_normal_.mutable_grad() = gradients[0].detach().clone();
  alpha_reduce_.mutable_grad() = gradients[1].detach().clone();
  adam_->step();
  UpdateStats stats;
  stats.loss = validation_loss;
  stats.count = 1;
  stats.entropy = (mean_row_entropy(alpha_normal_) + mean_row_entropy(alpha_reduce_)) / 2.0;
  return stats;
}

void DartsController::state_fields(StateFields& fields) {
  bind_tensor_copy(fields, "alpha_normal", alpha_normal_);
  bind_tensor_copy(fields, "alpha_reduce", alpha_reduce_);
  bind_adam(fields, "adam", *adam_, {alpha_normal_, alpha_reduce_});
  ids_.state_fields(fields);
  if (fields.loading()) report_ = {};
}

const spaces::OptionSchema<DartsOptions>& DartsOptions::schema() {
  using O = DartsOptions;
  static const auto schema =
      spaces::OptionSchema<O>()
          .field(
              "order", [](O & o) -> auto& { return o.order(); },
              "architecture gradient: 1 first order, 2 unrolled (second order)", 1, 2)
          .field(
              "lr", [](O & o) -> auto& { return o.lr(); }, "α Adam learning rate", 0, 10)
          .field(
              "beta1", [](O & o) -> auto& { return o.beta1(); }, "α Adam beta1", 0, 1)
          .open_above()
          .field(
              "beta2", [](O & o) -> auto& { return o.beta2(); }, "α Adam beta2", 0, 1)
          .open_above()
          .field(
              "weight_decay", [](O & o) -> auto& { return o.weight_decay(); }, "α Adam weight decay", 0, 1)
          .field(
              "init_scale", [](O & o) -> auto& { return o.init_scale(); }, "α initialised init_scale * randn", 0, 10)
          .field(
              "warmup_epochs", [](O & o) -> auto& { return o.warmup_epochs(); },
              "epochs of weight training before α's first step (PC-DARTS: 15 of 50)", 0, 1000000);
  return schema;
}

REGISTER_CONTROLLER(darts, "DARTS: softmax relaxation of the darts cells, α by gradient (Liu et al. 2019)",
                    Capabilities{.spaces = {"darts"}, .needs_shared_weights = true, .differentiable = true},
                    DartsOptions::schema().specs(),
                    [](spaces::SpacePtr space, const spaces::Params& params,
                       std::uint64_t seed) -> std::unique_ptr<Controller> {
                      return std::make_unique<DartsController>(std::move(space), DartsOptions::schema().read(params),
                                                               seed);
                    });

}  // namespace controllers
