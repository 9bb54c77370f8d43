#include "controllers/nao_controller.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <stdexcept>

#include "controllers/blas_threads.h"
#include "controllers/rank_correlation.h"
#include "spaces/completions.h"
#include "spaces/infra/errors.h"
#include "spaces/infra/number_text.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

using spaces::kNaN;

// Scores min-max normalised to [0, 1] (all 0.5 when they are equal), NAO's targets.
std::vector<double> min_max(const std::vector<double>& values) {
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  std::vector<double> out;
  for (double v : values) out.push_back(*hi > *lo ? (v - *lo) / (*hi - *lo) : 0.5);
  return out;
}

std::vector<double> to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kDouble).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

// Architecture `row` of decoded vocabulary tokens, in the space's values (-1 where none).
std::vector<std::int64_t> row_values(const NaoVocabulary& vocabulary, const torch::Tensor& decoded, std::int64_t row) {
  const torch::Tensor r = decoded[row].contiguous();
  return vocabulary.values({r.data_ptr<std::int64_t>(), static_cast<std::size_t>(r.numel())});
}

}  // namespace

NaoController::NaoController(spaces::SpacePtr space, NaoOptions options, std::uint64_t seed)
    : StagedController(seed + 1, space->num_tokens()),
      space_(std::move(space)),
      options_(std::move(options)),
      vocabulary_(space_),
      model_(vocabulary_.size(), vocabulary_.length(), options_.model(), seed) {
  // Symmetric pairs: per cell and node, the positions of slot 0 and slot 1, matched in order.
  std::map<std::pair<int, int>, std::pair<std::vector<std::size_t>, std::vector<std::size_t>>> slots;
  const auto& decisions = space_->decisions();
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    auto& node = slots[{decisions[i].cell, decisions[i].node}];
    (decisions[i].slot == 0 ? node.first : node.second).push_back(i);
  }
  for (const auto& [key, node] : slots) {
    if (node.first.size() != node.second.size() || node.first.empty()) continue;
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    for (std::size_t k = 0; k < node.first.size(); ++k) pairs.emplace_back(node.first[k], node.second[k]);
    const auto cell = static_cast<std::size_t>(key.first);
    if (swappable_.size() <= cell) swappable_.resize(cell + 1);
    swappable_[cell].push_back(std::move(pairs));
  }
  std::unordered_set<std::uint64_t> seen;
  StageRecord cycle;
  cycle.stage = 1;
  cycle.cells = spaces::distinct_random(*space_, static_cast<std::size_t>(options_.seed_archs()), seen, rng_);
  if (static_cast<std::int64_t>(cycle.cells.size()) < options_.seed_archs()) {
    throw spaces::OptionError("nao: seed_archs = " + std::to_string(options_.seed_archs()) + ": " + space_->spec() +
                              " gave only " + std::to_string(cycle.cells.size()) + " distinct cells in " +
                              std::to_string(100 * options_.seed_archs()) + " random draws");
  }
  cycle.predicted_mean.assign(cycle.cells.size(), kNaN);
  cycle.predicted_spread.assign(cycle.cells.size(), kNaN);
  open_stage(std::move(cycle));
}

spaces::Arch NaoController::swap_symmetric(const spaces::Arch& arch) {
  spaces::Arch swapped = arch;
  for (const auto& nodes : swappable_) {
    if (nodes.empty()) continue;
    const auto& pairs = nodes[std::uniform_int_distribution<std::size_t>(0, nodes.size() - 1)(rng_)];
    for (const auto& [a, b] : pairs) std::swap(swapped.tokens[a], swapped.tokens[b]);
  }
  return space_->is_valid(swapped) ? swapped : arch;
}

double NaoController::train(const std::vector<spaces::Arch>& archs, const std::vector<double>& targets,
                            std::int64_t epochs) {
  if (archs.empty() || epochs <= 0) return kNaN;
  const ScopedBlasThreads one_blas_thread(1);
  model_->train();
  torch::optim::Adam adam(model_->parameters(),
                          torch::optim::AdamOptions(options_.lr()).weight_decay(options_.weight_decay()));
  const torch::Tensor y = torch::tensor(targets, torch::kFloat);
  const std::int64_t n = static_cast<std::int64_t>(archs.size()), batch = std::min(options_.batch_size(), n);
  const double lambda = options_.trade_off();
  torch::Tensor tokens = vocabulary_.tokens(archs);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  double epoch_loss = 0;
  for (std::int64_t epoch = 0; epoch < epochs; ++epoch) {
    if (options_.symmetry()) {
      std::vector<spaces::Arch> swapped;
      for (const spaces::Arch& arch : archs) swapped.push_back(swap_symmetric(arch));
      tokens = vocabulary_.tokens(swapped);
    }
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng_);
    const torch::Tensor permutation = torch::tensor(order, torch::kLong);
    epoch_loss = 0;
    std::int64_t batches = 0;
    for (std::int64_t begin = 0; begin < n; begin += batch, ++batches) {
      const torch::Tensor rows = permutation.narrow(0, begin, std::min(batch, n - begin));
      const torch::Tensor x = tokens.index_select(0, rows);
      const NaoEncoding encoding = model_->encode(x);
      const torch::Tensor predicted = model_->predict(encoding.embedding);
      const torch::Tensor logits = model_->decoder_logits(encoding, x);
      const torch::Tensor loss =
          lambda * torch::mse_loss(predicted, y.index_select(0, rows)) +
          (1.0 - lambda) * torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(2)}), x.reshape(-1));
      adam.zero_grad();
      loss.backward();
      torch::nn::utils::clip_grad_norm_(model_->parameters(), options_.grad_clip());
      adam.step();
      epoch_loss += loss.item<double>();
    }
    epoch_loss /= double(batches);
  }
  return epoch_loss;
}

std::vector<double> NaoController::predict(const std::vector<spaces::Arch>& archs) {
  if (archs.empty()) return {};
  model_->eval();
  torch::NoGradGuard no_grad;
  return to_vector(model_->predict(model_->encode(vocabulary_.tokens(archs)).embedding));
}

std::pair<double, double> NaoController::reconstruction(const std::vector<spaces::Arch>& archs) {
  if (archs.empty()) return {kNaN, kNaN};
  const ScopedBlasThreads one_blas_thread(1);
  model_->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor tokens = vocabulary_.tokens(archs);
  const NaoEncoding encoding = model_->encode(tokens);
  const double accuracy =
      model_->greedy_decode(encoding, &vocabulary_).eq(tokens).to(torch::kDouble).mean().item<double>();
  const torch::Tensor free = model_->greedy_decode(encoding, nullptr);
  std::int64_t valid = 0;
  for (std::int64_t row = 0; row < free.size(0); ++row) {
    const std::vector<std::int64_t> values = row_values(vocabulary_, free, row);
    if (std::find(values.begin(), values.end(), -1) == values.end() && space_->is_valid(space_->make_arch(values))) {
      ++valid;
    }
  }
  return {accuracy, double(valid) / double(free.size(0))};
}

std::vector<GeneratedArch> NaoController::generate(const std::vector<spaces::Arch>& parents, std::int64_t count,
                                                   std::unordered_set<std::uint64_t>& exclude) {
  std::vector<GeneratedArch> generated;
  if (parents.empty() || count <= 0) return generated;
  const ScopedBlasThreads one_blas_thread(1);
  model_->eval();
  // df/dh for every parent's encoder outputs h: one backward pass serves every step size.
  torch::Tensor outputs, gradients, parent_scores;
  {
    torch::AutoGradMode enable_grad(true);  // whatever the caller's mode
    const NaoEncoding encoding = model_->encode(vocabulary_.tokens(parents));
    outputs = encoding.outputs.detach().requires_grad_(true);
    const torch::Tensor scores = model_->predict(NaoModelImpl::summarise(outputs).embedding);
    gradients = torch::autograd::grad({scores.sum()}, {outputs})[0];
    parent_scores = scores.detach();
    outputs = outputs.detach();
  }
  torch::NoGradGuard no_grad;
  const std::vector<double> parent_predicted = to_vector(parent_scores);
  for (std::int64_t step = 1; step <= options_.max_step_size(); ++step) {
    const NaoEncoding moved = NaoModelImpl::summarise(outputs + double(step) * gradients);
    const std::vector<double> predicted = to_vector(model_->predict(moved.embedding));
    const torch::Tensor decoded = model_->greedy_decode(moved, &vocabulary_);
    for (std::size_t p = 0; p < parents.size(); ++p) {
      spaces::Arch arch = space_->make_arch(row_values(vocabulary_, decoded, static_cast<std::int64_t>(p)));
      if (!exclude.insert(space_->canonical_hash(arch)).second) continue;
      generated.push_back(
          {std::move(arch), parents[p], double(step), predicted[p], predicted[p] - parent_predicted[p]});
      if (static_cast<std::int64_t>(generated.size()) >= count) return generated;
    }
  }
  return generated;
}

double NaoController::close_stage() {
  StageRecord& cycle = stages_.back();
  // The rank correlation on what the model had not been trained on: the
  // architectures the previous cycle added (generated and random), which
  // end the pool (step 5).
  if (stages_.size() >= 2) {
    const auto added = static_cast<std::ptrdiff_t>(stages_[stages_.size() - 2].generated.size());
    const std::vector<double> predicted(cycle.predicted_mean.end() - added, cycle.predicted_mean.end());
    const std::vector<double> measured(cycle.measured.end() - added, cycle.measured.end());
    cycle.spearman = spearman(predicted, measured);
    cycle.kendall = kendall_tau(predicted, measured);
  }
  if (cycle.stage >= options_.cycles()) {  // nothing left to generate: no training
    finished_ = true;
    return cycle.surrogate_loss;
  }
  const std::vector<spaces::Arch> pool = cycle.cells;
  const std::vector<double> measured = cycle.measured;
  const double loss = train(pool, min_max(measured), options_.epochs());
  const auto [accuracy, valid] = reconstruction(pool);

  std::vector<std::size_t> order(pool.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return measured[a] > measured[b]; });
  std::vector<spaces::Arch> parents;
  for (std::size_t i = 0; i < order.size() && static_cast<std::int64_t>(i) < options_.top_k(); ++i) {
    parents.push_back(pool[order[i]]);
  }
  std::unordered_set<std::uint64_t> exclude;
  for (const spaces::Arch& arch : pool) exclude.insert(space_->canonical_hash(arch));
  std::vector<GeneratedArch> added = generate(parents, options_.new_archs(), exclude);
  const std::size_t generated_count = added.size();
  for (spaces::Arch& arch :
       spaces::distinct_random(*space_, static_cast<std::size_t>(options_.random_archs()), exclude, rng_)) {
    added.push_back({std::move(arch), spaces::Arch{}, kNaN, kNaN, kNaN});
  }

  cycle.surrogate_loss = loss;
  cycle.reconstruction_accuracy = accuracy;
  cycle.valid_rate = valid;
  cycle.generated = added;

  StageRecord next;
  next.stage = cycle.stage + 1;
  next.candidates = static_cast<std::int64_t>(generated_count);
  const std::size_t keep = pool.size() > added.size() ? pool.size() - added.size() : 0;
  for (std::size_t i = 0; i < keep; ++i) next.cells.push_back(pool[order[i]]);
  for (const GeneratedArch& g : added) next.cells.push_back(g.arch);
  next.predicted_mean = predict(next.cells);
  next.predicted_spread.assign(next.cells.size(), kNaN);
  open_stage(std::move(next));
  return loss;
}

void NaoController::state_fields(StateFields& fields) {
  bind_module(fields, "model", *model_);
  bind_generator(fields, "model_generator", model_->generator());
  stage_fields(fields);
}

const spaces::OptionSchema<NaoModelOptions>& NaoModelOptions::schema() {
  using O = NaoModelOptions;
  static const auto schema =
      spaces::OptionSchema<O>()
          .field(
              "embedding", [](O & o) -> auto& { return o.embedding(); }, "encoder token embedding", 1, 4096)
          .field(
              "hidden", [](O & o) -> auto& { return o.hidden(); }, "encoder and decoder LSTM state", 1, 4096)
          .field(
              "mlp_layers", [](O & o) -> auto& { return o.mlp_layers(); }, "predictor hidden layers", 0, 16)
          .field(
              "mlp_hidden", [](O & o) -> auto& { return o.mlp_hidden(); }, "predictor layer width", 1, 4096)
          .field(
              "dropout", [](O & o) -> auto& { return o.dropout(); }, "predictor dropout", 0, 1)
          .open_above();
  return schema;
}

const spaces::OptionSchema<NaoOptions>& NaoOptions::schema() {
  using O = NaoOptions;
  static const auto schema =
      spaces::OptionSchema<O>()
          .field(
              "seed_archs", [](O & o) -> auto& { return o.seed_archs(); }, "pool size; cycle 1: random architectures",
              2, 1e7)
          .field(
              "cycles", [](O & o) -> auto& { return o.cycles(); }, "scoring rounds of the pool", 1, 1e4)
          .field(
              "top_k", [](O & o) -> auto& { return o.top_k(); }, "best pool architectures that generation starts from",
              1, 1e7)
          .field(
              "new_archs", [](O & o) -> auto& { return o.new_archs(); }, "architectures generated per cycle (at most)",
              0, 1e7)
          .field(
              "random_archs", [](O & o) -> auto& { return o.random_archs(); }, "random architectures added per cycle",
              0, 1e7)
          .field(
              "max_step_size", [](O & o) -> auto& { return o.max_step_size(); }, "largest step size eta (1, 2, ...)", 1,
              1e6)
          .field(
              "epochs", [](O & o) -> auto& { return o.epochs(); }, "model training epochs per cycle", 0, 1e6)
          .field(
              "batch_size", [](O & o) -> auto& { return o.batch_size(); }, "model training minibatch", 1, 1e6)
          .field(
              "lr", [](O & o) -> auto& { return o.lr(); }, "Adam learning rate", 1e-7, 10)
          .field(
              "weight_decay", [](O & o) -> auto& { return o.weight_decay(); }, "Adam L2 term", 0, 1)
          .field(
              "grad_clip", [](O & o) -> auto& { return o.grad_clip(); }, "global gradient norm clip", 0, 1e6)
          .open_below()
          .field(
              "trade_off", [](O & o) -> auto& { return o.trade_off(); }, "lambda: share of the predictor's loss", 0, 1)
          .field(
              "symmetry", [](O & o) -> auto& { return o.symmetry(); },
              "swap a node's two (input, op) pairs as augmentation")
          .nested(
              [](O & o) -> auto& { return o.model(); }, NaoModelOptions::schema());
  return schema;
}

REGISTER_CONTROLLER(
    nao, "NAO-WS: encoder-predictor-decoder with attention; gradient ascent in embedding space over a scored pool",
    Capabilities{.spaces = {"nao", "enas_micro"}, .staged = true}, NaoOptions::schema().specs(),
    [](spaces::SpacePtr space, const spaces::Params& params, std::uint64_t seed) -> std::unique_ptr<Controller> {
      return std::make_unique<NaoController>(std::move(space), NaoOptions::schema().read(params), seed);
    });

}  // namespace controllers
