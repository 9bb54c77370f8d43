#include "controllers/pnas_surrogate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

#include "controllers/blas_threads.h"
#include "spaces/search_space.h"

namespace controllers {
namespace {

torch::Tensor uniform_parameter(at::IntArrayRef sizes, double bound, at::Generator& generator) {
  return torch::empty(sizes).uniform_(-bound, bound, generator);
}

class LstmPredictorImpl : public PredictorImpl {
 public:
  LstmPredictorImpl(const CellVocabulary& vocabulary, const SurrogateOptions& options, at::Generator& generator)
      : embedding_(options.embedding()), hidden_(options.hidden()) {
    const double bound = 1.0 / std::sqrt(double(hidden_));
    inputs_ = register_parameter("inputs", torch::randn({vocabulary.num_inputs(), embedding_}, generator));
    ops_ = register_parameter("ops", torch::randn({vocabulary.num_ops, embedding_}, generator));
    w_ih_ = register_parameter("w_ih", uniform_parameter({4 * hidden_, 2 * embedding_}, bound, generator));
    w_hh_ = register_parameter("w_hh", uniform_parameter({4 * hidden_, hidden_}, bound, generator));
    bias_ = register_parameter("bias", uniform_parameter({4 * hidden_}, bound, generator));
    out_weight_ = register_parameter("out_weight", uniform_parameter({1, hidden_}, bound, generator));
    out_bias_ = register_parameter("out_bias", uniform_parameter({1}, bound, generator));
  }

  // Step 2j+p reads pair p of block j: [embed(input p), embed(op p)]. Its
  // input-side gate term W_ih [e_in; e_op] + b is the sum of a row of
  // input_gates and a row of op_gates, tables computed once per call.
  torch::Tensor forward(const torch::Tensor& cells) override {
    const torch::Tensor input_gates = torch::mm(inputs_, w_ih_.narrow(1, 0, embedding_).t());
    const torch::Tensor op_gates = torch::addmm(bias_, ops_, w_ih_.narrow(1, embedding_, embedding_).t());
    const torch::Tensor w_hh_t = w_hh_.t();
    torch::Tensor h, c;
    for (std::int64_t block = 0; block < cells.size(1) / 4; ++block) {
      for (std::int64_t pair = 0; pair < 2; ++pair) {
        torch::Tensor gates = input_gates.index_select(0, cells.select(1, 4 * block + pair)) +
                              op_gates.index_select(0, cells.select(1, 4 * block + 2 + pair));
        if (h.defined()) gates = torch::addmm(gates, h, w_hh_t);
        const auto chunks = gates.chunk(4, 1);  // input, forget, cell, output gates (PyTorch's order)
        const torch::Tensor in = torch::sigmoid(chunks[0]), candidate = torch::tanh(chunks[2]);
        c = c.defined() ? torch::sigmoid(chunks[1]) * c + in * candidate : in * candidate;
        h = torch::sigmoid(chunks[3]) * torch::tanh(c);
      }
    }
    return torch::sigmoid(torch::addmm(out_bias_, h, out_weight_.t())).squeeze(1);
  }

 private:
  std::int64_t embedding_, hidden_;
  torch::Tensor inputs_, ops_, w_ih_, w_hh_, bias_, out_weight_, out_bias_;
};

// The first layer on one-hot tokens is a sum of weight rows, one per
// (block, slot, value); cells of fewer blocks leave the rest at zero.
class MlpPredictorImpl : public PredictorImpl {
 public:
  MlpPredictorImpl(const CellVocabulary& vocabulary, const SurrogateOptions& options, at::Generator& generator)
      : vocabulary_(vocabulary) {
    const std::int64_t h = options.hidden(), per_block = 2 * vocabulary.num_inputs() + 2 * vocabulary.num_ops;
    const double first_bound = 1.0 / std::sqrt(double(4 * vocabulary.max_blocks)), bound = 1.0 / std::sqrt(double(h));
    first_ =
        register_parameter("first", uniform_parameter({vocabulary.max_blocks * per_block, h}, first_bound, generator));
    first_bias_ = register_parameter("first_bias", uniform_parameter({h}, first_bound, generator));
    second_ = register_parameter("second", uniform_parameter({h, h}, bound, generator));
    second_bias_ = register_parameter("second_bias", uniform_parameter({h}, bound, generator));
    out_ = register_parameter("out", uniform_parameter({1, h}, bound, generator));
    out_bias_ = register_parameter("out_bias", uniform_parameter({1}, bound, generator));
  }

  torch::Tensor forward(const torch::Tensor& cells) override {
    const std::int64_t inputs = vocabulary_.num_inputs(), per_block = 2 * inputs + 2 * vocabulary_.num_ops;
    std::vector<std::int64_t> offsets;
    for (std::int64_t k = 0; k < cells.size(1); ++k) {
      const std::int64_t slot = k % 4;
      offsets.push_back(k / 4 * per_block + (slot < 2 ? slot * inputs : 2 * inputs + (slot - 2) * vocabulary_.num_ops));
    }
    const torch::Tensor rows = cells + torch::tensor(offsets, torch::kLong);
    torch::Tensor x = torch::relu(
        first_.index_select(0, rows.flatten()).view({cells.size(0), cells.size(1), -1}).sum(1) + first_bias_);
    x = torch::relu(torch::addmm(second_bias_, x, second_.t()));
    return torch::sigmoid(torch::addmm(out_bias_, x, out_.t())).squeeze(1);
  }

 private:
  CellVocabulary vocabulary_;
  torch::Tensor first_, first_bias_, second_, second_bias_, out_, out_bias_;
};

std::shared_ptr<PredictorImpl> make_predictor_with(const CellVocabulary& vocabulary, const SurrogateOptions& options,
                                                   at::Generator& generator) {
  if (options.kind() == "lstm") return std::make_shared<LstmPredictorImpl>(vocabulary, options, generator);
  if (options.kind() == "mlp") return std::make_shared<MlpPredictorImpl>(vocabulary, options, generator);
  throw std::invalid_argument("surrogate kind '" + options.kind() + "': expected lstm or mlp");
}

torch::Tensor tokens_tensor(const std::vector<std::vector<std::int64_t>>& cells, const std::vector<std::size_t>& rows) {
  const std::int64_t width = static_cast<std::int64_t>(cells.at(rows.front()).size());
  torch::Tensor tensor = torch::empty({static_cast<std::int64_t>(rows.size()), width}, torch::kLong);
  auto* out = tensor.data_ptr<std::int64_t>();
  for (std::size_t i = 0; i < rows.size(); ++i)
    std::copy(cells[rows[i]].begin(), cells[rows[i]].end(), out + i * width);
  return tensor;
}

// Row indices grouped by token count (block count), in ascending order.
std::map<std::size_t, std::vector<std::size_t>> by_length(const std::vector<std::vector<std::int64_t>>& cells,
                                                          const std::vector<std::size_t>& rows) {
  std::map<std::size_t, std::vector<std::size_t>> groups;
  for (std::size_t row : rows) groups[cells[row].size()].push_back(row);
  return groups;
}

}  // namespace

SurrogateEnsemble::SurrogateEnsemble(CellVocabulary vocabulary, SurrogateOptions options, std::uint64_t seed)
    : vocabulary_(vocabulary), options_(std::move(options)), rng_(seed) {
  if (options_.loss() != "l1" && options_.loss() != "l2") {
    throw std::invalid_argument("surrogate loss '" + options_.loss() + "': expected l1 or l2");
  }
  if (options_.sampling() != "fold" && options_.sampling() != "bootstrap") {
    throw std::invalid_argument("surrogate sampling '" + options_.sampling() + "': expected fold or bootstrap");
  }
  if (options_.predictors() < 1) throw std::invalid_argument("a surrogate ensemble needs at least one predictor");
  at::Generator generator = at::detail::createCPUGenerator(seed);
  for (std::int64_t p = 0; p < options_.predictors(); ++p) {
    predictors_.push_back(make_predictor_with(vocabulary_, options_, generator));
  }
}

double SurrogateEnsemble::fit(const std::vector<std::vector<std::int64_t>>& cells,
                              const std::vector<double>& accuracies, std::int64_t epochs) {
  if (cells.size() != accuracies.size()) throw std::invalid_argument("fit: as many accuracies as cells");
  if (cells.empty() || epochs <= 0) return std::numeric_limits<double>::quiet_NaN();
  const ScopedBlasThreads one_blas_thread(1);  // small matrices: see blas_threads.h
  const std::size_t n = cells.size(), count = predictors_.size();
  // Each predictor's share: all folds but its own, or a bootstrap sample.
  std::vector<std::vector<std::size_t>> shares(count);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng_);
  for (std::size_t p = 0; p < count; ++p) {
    if (options_.sampling() == "bootstrap") {
      std::uniform_int_distribution<std::size_t> pick(0, n - 1);
      for (std::size_t i = 0; i < n; ++i) shares[p].push_back(pick(rng_));
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        if (count == 1 || n < count || i % count != p) shares[p].push_back(order[i]);
      }
    }
  }
  double loss_sum = 0.0;
  std::size_t loss_count = 0;
  for (std::size_t p = 0; p < count; ++p) {
    PredictorImpl& predictor = *predictors_[p];
    predictor.train();
    torch::optim::Adam adam(predictor.parameters(), torch::optim::AdamOptions(options_.lr()));
    auto groups = by_length(cells, shares[p]);
    for (std::int64_t epoch = 0; epoch < epochs; ++epoch) {
      const bool last = epoch == epochs - 1;
      for (auto& [length, rows] : groups) {
        std::shuffle(rows.begin(), rows.end(), rng_);
        for (std::size_t start = 0; start < rows.size(); start += static_cast<std::size_t>(options_.batch_size())) {
          const std::size_t end = std::min(rows.size(), start + static_cast<std::size_t>(options_.batch_size()));
          const std::vector<std::size_t> batch(rows.begin() + static_cast<std::ptrdiff_t>(start),
                                               rows.begin() + static_cast<std::ptrdiff_t>(end));
          std::vector<double> target_values;
          for (std::size_t row : batch) target_values.push_back(accuracies[row]);
          const torch::Tensor targets = torch::tensor(target_values, torch::kFloat);
          const torch::Tensor predicted = predictor.forward(tokens_tensor(cells, batch));
          const torch::Tensor loss =
              options_.loss() == "l1" ? torch::l1_loss(predicted, targets) : torch::mse_loss(predicted, targets);
          adam.zero_grad();
          loss.backward();
          adam.step();
          if (last) {
            loss_sum += loss.item<double>() * double(batch.size());
            loss_count += batch.size();
          }
        }
      }
    }
    predictor.eval();
  }
  return loss_sum / double(std::max<std::size_t>(1, loss_count));
}

SurrogateEnsemble::Scores SurrogateEnsemble::predict(const std::vector<std::vector<std::int64_t>>& cells,
                                                     std::int64_t batch) const {
  Scores scores{std::vector<double>(cells.size()), std::vector<double>(cells.size())};
  if (cells.empty()) return scores;
  std::vector<std::size_t> all(cells.size());
  std::iota(all.begin(), all.end(), 0);
  for (const auto& [length, rows] : by_length(cells, all)) {
    const Scores part = predict(tokens_tensor(cells, rows), batch);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      scores.mean[rows[i]] = part.mean[i];
      scores.spread[rows[i]] = part.spread[i];
    }
  }
  return scores;
}

SurrogateEnsemble::Scores SurrogateEnsemble::predict(const torch::Tensor& cells, std::int64_t batch) const {
  if (cells.dim() != 2 || cells.size(1) % 4 != 0 || cells.size(1) / 4 > vocabulary_.max_blocks) {
    throw std::invalid_argument("surrogate: cells must be [N, 4b] tokens with b <= " +
                                std::to_string(vocabulary_.max_blocks));
  }
  torch::InferenceMode inference;
  std::vector<torch::Tensor> means, spreads;
  for (std::int64_t start = 0; start < cells.size(0); start += batch) {
    const torch::Tensor chunk = cells.narrow(0, start, std::min(batch, cells.size(0) - start));
    std::vector<torch::Tensor> each;
    for (const auto& predictor : predictors_) each.push_back(predictor->forward(chunk));
    const torch::Tensor all = torch::stack(each);
    means.push_back(all.mean(0));
    spreads.push_back(all.std(0, /*unbiased=*/false));
  }
  const torch::Tensor mean = torch::cat(means).to(torch::kDouble), spread = torch::cat(spreads).to(torch::kDouble);
  return {std::vector<double>(mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel()),
          std::vector<double>(spread.data_ptr<double>(), spread.data_ptr<double>() + spread.numel())};
}

void SurrogateEnsemble::state_fields(StateFields& fields) {
  for (std::size_t p = 0; p < predictors_.size(); ++p) bind_module(fields, "p" + std::to_string(p), *predictors_[p]);
  spaces::bind_rng(fields, "rng", rng_);
}

const spaces::OptionSchema<SurrogateOptions>& SurrogateOptions::schema() {
  using O = SurrogateOptions;
  static const auto schema =
      spaces::OptionSchema<O>()
          .field("kind", [](O & o) -> auto& { return o.kind(); }, "predictor kind", 0, 0, {"lstm", "mlp"})
          .field(
              "predictors", [](O & o) -> auto& { return o.predictors(); }, "ensemble size", 1, 100)
          .field(
              "hidden", [](O & o) -> auto& { return o.hidden(); }, "LSTM state / MLP width", 1, 4096)
          .field(
              "embedding", [](O & o) -> auto& { return o.embedding(); }, "input and op embedding width (LSTM)", 1, 4096)
          .field("loss", [](O & o) -> auto& { return o.loss(); }, "surrogate loss", 0, 0, {"l1", "l2"})
          .field(
              "lr", [](O & o) -> auto& { return o.lr(); }, "surrogate Adam learning rate", 1e-7, 10)
          .field(
              "batch_size", [](O & o) -> auto& { return o.batch_size(); }, "surrogate minibatch", 1, 100000)
          .field("sampling", [](O & o) -> auto& { return o.sampling(); }, "each predictor's data share", 0, 0,
                 {"fold", "bootstrap"});
  return schema;
}

}  // namespace controllers
