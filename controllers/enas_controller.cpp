#include "controllers/enas_controller.h"

#include <ATen/CPUGeneratorImpl.h>

#include "controllers/blas_threads.h"
#include "spaces/cell_space.h"
#include "spaces/enas_macro_space.h"
#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

using torch::indexing::Slice;

// Picks one value per row from `logits` [n, k] (sampled, or read from
// `forced` [n]) and adds its log-probability and the distribution's entropy.
// With score == false (sampling only) nothing is accumulated.
torch::Tensor choose(const torch::Tensor& logits, const torch::Tensor* forced, at::Generator& generator,
                     torch::Tensor& log_prob, torch::Tensor& entropy, bool score) {
  if (!score && forced == nullptr) return at::multinomial(torch::softmax(logits, -1), 1, false, generator).squeeze(1);
  const torch::Tensor logp = torch::log_softmax(logits, -1);
  torch::Tensor choice;
  if (forced != nullptr) {
    choice = *forced;
  } else {
    torch::NoGradGuard no_grad;
    choice = at::multinomial(logp.exp(), 1, false, generator).squeeze(1);
  }
  log_prob = log_prob + logp.gather(1, choice.unsqueeze(1)).squeeze(1);
  entropy = entropy - (logp.exp() * logp).sum(1);
  return choice;
}

// The LSTM state of one batched rollout and the logit shaping of the options.
struct Cursor {
  EnasPolicyImpl& policy;
  const EnasOptions& options;
  torch::Tensor h, c;

  Cursor(EnasPolicyImpl& p, const EnasOptions& o, std::int64_t n)
      : policy(p), options(o), h(torch::zeros({n, o.lstm_size()})), c(torch::zeros({n, o.lstm_size()})) {}
  void step(const torch::Tensor& input) { std::tie(h, c) = policy.lstm->forward(input, std::make_tuple(h, c)); }
  // tanh_constant * tanh(logits / temperature), each part when enabled.
  torch::Tensor shape(torch::Tensor logits, double tanh_constant) const {
    if (options.temperature() > 0) logits = logits / options.temperature();
    return tanh_constant > 0 ? tanh_constant * torch::tanh(logits) : logits;
  }
  // Attention scores v . tanh(W1 anchor + W2 h) over the anchors' keys: [n, anchors].
  torch::Tensor attention(const std::vector<torch::Tensor>& keys) const {
    return policy.attention_score(torch::tanh(torch::stack(keys, 1) + policy.attention_query(h).unsqueeze(1)))
        .squeeze(-1);
  }
  torch::Tensor start(std::int64_t n) const { return policy.start.expand({n, options.lstm_size()}); }
};

Rollout empty_rollout(std::int64_t n, std::size_t tokens) {
  return Rollout{torch::zeros({n, static_cast<std::int64_t>(tokens)}, torch::kInt64), torch::zeros({n}),
                 torch::zeros({n}), torch::zeros({n})};
}

}  // namespace

EnasPolicyImpl::EnasPolicyImpl(std::int64_t lstm_size, std::int64_t num_ops) {
  const std::int64_t h = lstm_size;
  lstm = register_module("lstm", torch::nn::LSTMCell(h, h));
  start = register_parameter("start", torch::empty({1, h}).uniform_(-0.1, 0.1));
  op_embedding = register_module("op_embedding", torch::nn::Embedding(num_ops, h));
  op_logits = register_module("op_logits", torch::nn::Linear(h, num_ops));
  attention_anchor = register_module("attention_anchor", torch::nn::Linear(torch::nn::LinearOptions(h, h).bias(false)));
  attention_query = register_module("attention_query", torch::nn::Linear(torch::nn::LinearOptions(h, h).bias(false)));
  attention_score = register_module("attention_score", torch::nn::Linear(torch::nn::LinearOptions(h, 1).bias(false)));
  // ENAS initialises every controller weight uniformly in [-0.1, 0.1].
  torch::NoGradGuard no_grad;
  for (auto& p : parameters()) p.uniform_(-0.1, 0.1);
}

EnasController::EnasController(spaces::SpacePtr space, EnasOptions options, std::uint64_t seed)
    : space_(std::move(space)), options_(options), generator_(at::make_generator<at::CPUGeneratorImpl>(seed)) {
  const auto* cells = dynamic_cast<const spaces::CellSpace*>(space_.get());
  const bool micro = cells != nullptr && cells->layout().order == spaces::TokenOrder::kInputOpInputOp &&
                     cells->layout().output == spaces::OutputRule::kLooseEndsWithInputs;
  const bool macro = dynamic_cast<const spaces::EnasMacroSpace*>(space_.get()) != nullptr;
  if (!micro && !macro) {
    throw spaces::OptionError("controller 'enas' works on enas_micro, nao and enas_macro, not on " + space_->name());
  }
  torch::manual_seed(seed);  // the policy's initial weights
  policy_ = EnasPolicy(options_.lstm_size(), static_cast<std::int64_t>(space_->op_names().size()));
  adam_ = std::make_unique<torch::optim::Adam>(policy_->parameters(), torch::optim::AdamOptions(options_.lr()));
}

Rollout EnasController::rollout(std::int64_t n, const std::vector<spaces::Arch>* forced, bool score) {
  torch::Tensor forced_tokens;
  if (forced != nullptr) {
    if (static_cast<std::int64_t>(forced->size()) != n)
      throw std::invalid_argument("rollout: n differs from the forced count");
    std::vector<std::int64_t> flat;
    for (const auto& arch : *forced) {
      space_->validate(arch);
      flat.insert(flat.end(), arch.tokens.begin(), arch.tokens.end());
    }
    forced_tokens = torch::tensor(flat, torch::kInt64).view({n, static_cast<std::int64_t>(space_->num_tokens())});
  }
  const torch::Tensor* forced_ptr = forced != nullptr ? &forced_tokens : nullptr;
  if (dynamic_cast<const spaces::EnasMacroSpace*>(space_.get()) != nullptr) return rollout_macro(n, forced_ptr, score);
  return rollout_cells(n, forced_ptr, score);
}

Rollout EnasController::rollout_cells(std::int64_t n, const torch::Tensor* forced, bool score) {
  const auto& cells = dynamic_cast<const spaces::CellSpace&>(*space_);
  Rollout r = empty_rollout(n, space_->num_tokens());
  Cursor lstm(*policy_, options_, n);
  const torch::Tensor rows = torch::arange(n);
  // Decides the token at `at` from `logits`, sampled or read from `forced`.
  auto decide = [&](const torch::Tensor& logits, std::size_t at) {
    const torch::Tensor column = forced != nullptr ? forced->select(1, static_cast<std::int64_t>(at)) : torch::Tensor();
    const torch::Tensor value =
        choose(logits, forced != nullptr ? &column : nullptr, generator_, r.log_prob, r.entropy, score);
    r.tokens.select(1, static_cast<std::int64_t>(at)).copy_(value);
    return value;
  };
  // The reduction cell continues the normal cell's LSTM state, as in ENAS.
  for (int cell = 0; cell < static_cast<int>(cells.layout().cells.size()); ++cell) {
    torch::Tensor input = lstm.start(n);
    std::vector<torch::Tensor> anchors, keys;
    for (int i = 0; i < 2; ++i) {  // the two cell inputs
      lstm.step(input);
      anchors.push_back(torch::zeros_like(lstm.h));
      keys.push_back(policy_->attention_anchor(lstm.h));
    }
    for (int node = 0; node < cells.layout().nodes; ++node) {
      for (int slot = 0; slot < 2; ++slot) {
        lstm.step(input);
        const torch::Tensor index = decide(lstm.shape(lstm.attention(keys), options_.tanh_constant()),
                                           cells.position(cell, node, slot, spaces::DecisionKind::kInputIndex));
        input = torch::stack(anchors, 1).index({rows, index});
      }
      for (int slot = 0; slot < 2; ++slot) {
        lstm.step(input);
        const torch::Tensor op =
            decide(lstm.shape(policy_->op_logits(lstm.h), options_.tanh_constant() / options_.op_tanh_reduce()),
                   cells.position(cell, node, slot, spaces::DecisionKind::kOp));
        input = policy_->op_embedding(op);
      }
      lstm.step(input);
      anchors.push_back(lstm.h);
      keys.push_back(policy_->attention_anchor(lstm.h));
      input = lstm.start(n);
    }
  }
  return r;
}

Rollout EnasController::rollout_macro(std::int64_t n, const torch::Tensor* forced, bool score) {
  const auto& macro = dynamic_cast<const spaces::EnasMacroSpace&>(*space_);
  Rollout r = empty_rollout(n, space_->num_tokens());
  Cursor lstm(*policy_, options_, n);
  const torch::Tensor targets = torch::tensor({1.0 - options_.skip_target(), options_.skip_target()}, torch::kFloat);
  torch::Tensor input = lstm.start(n);
  std::vector<torch::Tensor> anchors, keys;
  for (int layer = 0; layer < macro.layers(); ++layer) {
    const auto at = static_cast<std::int64_t>(macro.op_position(layer));
    lstm.step(input);
    const torch::Tensor op_column = forced != nullptr ? forced->select(1, at) : torch::Tensor();
    const torch::Tensor op = choose(lstm.shape(policy_->op_logits(lstm.h), options_.tanh_constant()),
                                    forced != nullptr ? &op_column : nullptr, generator_, r.log_prob, r.entropy, score);
    r.tokens.select(1, at).copy_(op);
    lstm.step(policy_->op_embedding(op));
    if (layer > 0) {
      // One two-way decision [-q, q] per earlier layer.
      const torch::Tensor q = lstm.attention(keys);                                                  // [n, layer]
      const torch::Tensor logits = lstm.shape(torch::stack({-q, q}, -1), options_.tanh_constant());  // [n, layer, 2]
      const torch::Tensor skip_column =
          forced != nullptr ? forced->index({Slice(), Slice(at + 1, at + 1 + layer)}).reshape({n * layer})
                            : torch::Tensor();
      torch::Tensor bits_log_prob = torch::zeros({n * layer}), bits_entropy = torch::zeros({n * layer});
      const torch::Tensor skip = choose(logits.reshape({n * layer, 2}), forced != nullptr ? &skip_column : nullptr,
                                        generator_, bits_log_prob, bits_entropy, score)
                                     .view({n, layer});
      if (score) {
        r.log_prob = r.log_prob + bits_log_prob.view({n, layer}).sum(1);
        r.entropy = r.entropy + bits_entropy.view({n, layer}).sum(1);
        const torch::Tensor p = torch::sigmoid(logits);
        r.skip_penalty = r.skip_penalty + (p * torch::log(p / targets)).sum({1, 2});
      }
      r.tokens.index_put_({Slice(), Slice(at + 1, at + 1 + layer)}, skip);
      // The next input: the mean of the chosen layers' anchors (ENAS).
      const torch::Tensor weights = skip.to(torch::kFloat);
      input = torch::bmm(weights.unsqueeze(1), torch::stack(anchors, 1)).squeeze(1) / (1.0 + weights.sum(1, true));
    } else {
      input = lstm.start(n);
    }
    anchors.push_back(lstm.h);
    keys.push_back(policy_->attention_anchor(lstm.h));
  }
  return r;
}

std::vector<spaces::Arch> EnasController::archs_of(const torch::Tensor& tokens) const {
  const torch::Tensor rows = tokens.contiguous();
  const auto* data = rows.data_ptr<std::int64_t>();
  const std::int64_t length = rows.size(1);
  std::vector<spaces::Arch> archs;
  for (std::int64_t i = 0; i < rows.size(0); ++i) {
    archs.push_back(space_->make_arch({data + i * length, data + (i + 1) * length}));
  }
  return archs;
}

// The LSTM's operations are small: run on one thread, they are faster on a
// quiet machine too, and beside other work they slow in proportion instead
// of stalling at every spinning barrier (blas_threads.h).
std::vector<spaces::Arch> EnasController::sample(int n) {
  if (n <= 0) return {};
  const ScopedSingleThreaded single_threaded;
  c10::InferenceMode inference;  // no autograd bookkeeping at all: sampling only
  return archs_of(rollout(n, nullptr, /*score=*/false).tokens);
}

std::vector<Proposal> EnasController::propose(int n) {
  if (n <= 0) return {};
  const ScopedSingleThreaded single_threaded;
  const Rollout r = rollout(n);
  std::vector<Proposal> proposals;
  std::vector<spaces::Arch> archs = archs_of(r.tokens);
  for (std::int64_t i = 0; i < n; ++i) {
    Proposal p{next_id_++, std::move(archs[static_cast<std::size_t>(i)])};
    pending_[p.id] = Pending{r.log_prob[i], r.entropy[i], r.skip_penalty[i]};
    proposals.push_back(std::move(p));
  }
  return proposals;
}

UpdateStats EnasController::observe(const std::vector<Feedback>& feedback) {
  const ScopedSingleThreaded single_threaded;
  UpdateStats stats;
  if (feedback.empty()) {
    pending_.clear();
    return stats;
  }
  std::vector<torch::Tensor> losses;
  double entropy_sum = 0;
  for (const Feedback& f : feedback) {
    const auto it = pending_.find(f.id);
    if (it == pending_.end())
      throw std::invalid_argument("enas controller: no pending proposal with id " + std::to_string(f.id));
    const Pending& p = it->second;
    const double entropy = p.entropy.item<double>();
    const double reward = f.reward + options_.entropy_weight() * entropy;
    baseline_ -= (1.0 - options_.baseline_decay()) * (baseline_ - reward);
    losses.push_back(-p.log_prob * (reward - baseline_) + options_.skip_weight() * p.skip_penalty);
    entropy_sum += entropy;
  }
  const torch::Tensor loss = torch::stack(losses).mean();
  adam_->zero_grad();
  loss.backward();
  adam_->step();
  pending_.clear();
  stats.count = static_cast<std::int64_t>(feedback.size());
  stats.loss = loss.item<double>();
  stats.mean_reward = mean_reward(feedback);
  stats.entropy = entropy_sum / static_cast<double>(stats.count);
  stats.baseline = baseline_;
  return stats;
}

void EnasController::state_fields(StateFields& fields) {
  bind_module(fields, "policy", *policy_);
  bind_adam(fields, "adam", *adam_, policy_->parameters());
  bind_generator(fields, "generator", generator_);
  fields.scalar("baseline", baseline_);
  fields.integer("next_id", next_id_);
  if (fields.loading()) pending_.clear();
}

const spaces::OptionSchema<EnasOptions>& EnasOptions::schema() {
  using O = EnasOptions;
  static const auto schema =
      spaces::OptionSchema<O>()
          .field(
              "lstm_size", [](O & o) -> auto& { return o.lstm_size(); }, "LSTM hidden size", 1, 4096)
          .field(
              "tanh_constant", [](O & o) -> auto& { return o.tanh_constant(); },
              "logits = c * tanh(logits); 0 disables", 0, 100)
          .field(
              "op_tanh_reduce", [](O & o) -> auto& { return o.op_tanh_reduce(); },
              "op logits use tanh_constant / op_tanh_reduce", 0, 100)
          .open_below()
          .field(
              "temperature", [](O & o) -> auto& { return o.temperature(); }, "logits / temperature; 0 disables", 0, 100)
          .field(
              "entropy_weight", [](O & o) -> auto& { return o.entropy_weight(); }, "entropy bonus added to the reward",
              0, 10)
          .field(
              "baseline_decay", [](O & o) -> auto& { return o.baseline_decay(); },
              "moving-average decay of the baseline", 0, 1)
          .field(
              "lr", [](O & o) -> auto& { return o.lr(); }, "Adam learning rate", 0, 10)
          .field(
              "skip_target", [](O & o) -> auto& { return o.skip_target(); }, "macro: target rate of skip connections",
              0, 1)
          .open_below()
          .open_above()
          .field(
              "skip_weight", [](O & o) -> auto& { return o.skip_weight(); }, "macro: weight of the skip KL penalty", 0,
              100);
  return schema;
}

REGISTER_CONTROLLER(enas, "ENAS policy-gradient LSTM (Pham et al. 2018)",
                    Capabilities{.spaces = {"enas_micro", "enas_macro", "nao"}}, EnasOptions::schema().specs(),
                    [](spaces::SpacePtr space, const spaces::Params& p,
                       std::uint64_t seed) -> std::unique_ptr<Controller> {
                      return std::make_unique<EnasController>(std::move(space), EnasOptions::schema().read(p), seed);
                    });

}  // namespace controllers
