#include "controllers/nao_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "spaces/infra/errors.h"

namespace controllers {
namespace F = torch::nn::functional;

NaoVocabulary::NaoVocabulary(spaces::SpacePtr space) : space_(std::move(space)) {
  std::int64_t ops = 0;
  for (const spaces::Decision& d : space_->decisions()) {
    if (d.kind == spaces::DecisionKind::kInputIndex) {
      inputs_ = std::max(inputs_, d.num_choices);
    } else if (d.kind == spaces::DecisionKind::kOp) {
      ops = std::max(ops, d.num_choices);
    } else {
      throw spaces::OptionError("NAO reads input-index and op decisions; " + space_->spec() + " has " +
                                spaces::to_string(d.kind) + " decisions");
    }
  }
  if (space_->num_tokens() % 2 != 0) {
    throw spaces::OptionError("NAO reads token pairs; " + space_->spec() + " has an odd token count");
  }
  size_ = 1 + inputs_ + ops;
}

torch::Tensor NaoVocabulary::tokens(const std::vector<spaces::Arch>& archs) const {
  const std::int64_t t = length();
  torch::Tensor out = torch::empty({static_cast<std::int64_t>(archs.size()), t}, torch::kLong);
  auto* p = out.data_ptr<std::int64_t>();
  const auto& decisions = space_->decisions();
  for (const spaces::Arch& arch : archs) {
    for (std::int64_t i = 0; i < t; ++i) {
      const std::int64_t v = arch.tokens.at(static_cast<std::size_t>(i));
      *p++ = decisions[static_cast<std::size_t>(i)].kind == spaces::DecisionKind::kInputIndex ? 1 + v : 1 + inputs_ + v;
    }
  }
  return out;
}

std::int64_t NaoVocabulary::value(std::int64_t token, std::size_t position) const {
  const spaces::Decision& d = space_->decisions().at(position);
  const std::int64_t v = d.kind == spaces::DecisionKind::kInputIndex ? token - 1 : token - 1 - inputs_;
  return v >= 0 && v < d.num_choices ? v : -1;
}

std::vector<std::int64_t> NaoVocabulary::values(std::span<const std::int64_t> tokens) const {
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < tokens.size(); ++i) out.push_back(value(tokens[i], i));
  return out;
}

void NaoVocabulary::legal(std::span<const std::int64_t> prefix, bool* out) const {
  std::fill(out, out + size_, false);
  const std::vector<bool> choices = space_->legal_choices(prefix);
  const bool input = space_->decisions().at(prefix.size()).kind == spaces::DecisionKind::kInputIndex;
  for (std::size_t v = 0; v < choices.size(); ++v) {
    if (choices[v]) out[(input ? 1 : 1 + inputs_) + static_cast<std::int64_t>(v)] = true;
  }
}

NaoModelImpl::NaoModelImpl(std::int64_t vocabulary, std::int64_t length, NaoModelOptions options, std::uint64_t seed)
    : vocabulary_(vocabulary), length_(length), options_(options), generator_(at::detail::createCPUGenerator(seed)) {
  const std::int64_t e = options_.embedding(), h = options_.hidden();
  encoder_embedding_ = register_module("encoder_embedding", torch::nn::Embedding(vocabulary, e));
  encoder_ = register_module("encoder", torch::nn::LSTM(torch::nn::LSTMOptions(2 * e, h).batch_first(true)));
  mlp_ = register_module("mlp", torch::nn::ModuleList());
  std::int64_t width = h;
  for (std::int64_t layer = 0; layer < options_.mlp_layers(); ++layer) {
    mlp_->push_back(torch::nn::Linear(width, options_.mlp_hidden()));
    width = options_.mlp_hidden();
  }
  regressor_ = register_module("regressor", torch::nn::Linear(width, 1));
  decoder_embedding_ = register_module("decoder_embedding", torch::nn::Embedding(vocabulary, h));
  decoder_ = register_module("decoder", torch::nn::LSTM(torch::nn::LSTMOptions(h, h).batch_first(true)));
  query_ = register_module("query", torch::nn::Linear(torch::nn::LinearOptions(h, h).bias(false)));
  mix_ = register_module("mix", torch::nn::Linear(torch::nn::LinearOptions(2 * h, h).bias(false)));
  classifier_ = register_module("classifier", torch::nn::Linear(h, vocabulary));
  // PyTorch's initialisations, drawn from the model's own generator:
  // embeddings N(0, 1); every other tensor U(-1/sqrt(fan), 1/sqrt(fan)),
  // fan = the weight's input width (an LSTM's: its hidden size).
  torch::NoGradGuard no_grad;
  for (auto& item : named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor& parameter = item.value();
    if (name.find("embedding") != std::string::npos) {
      parameter.normal_(0.0, 1.0, generator_);
      continue;
    }
    std::int64_t fan = parameter.dim() == 2 ? parameter.size(1) : h;
    if (name.find("encoder.") == 0 || name.find("decoder.") == 0) fan = h;
    const double bound = 1.0 / std::sqrt(double(fan));
    parameter.uniform_(-bound, bound, generator_);
  }
}

NaoEncoding NaoModelImpl::summarise(const torch::Tensor& steps) {
  const torch::Tensor outputs = F::normalize(steps, F::NormalizeFuncOptions().p(2).dim(-1));
  return {outputs, F::normalize(outputs.mean(1), F::NormalizeFuncOptions().p(2).dim(-1))};
}

NaoEncoding NaoModelImpl::encode(const torch::Tensor& tokens) {
  const torch::Tensor embedded = encoder_embedding_(tokens);  // [B, T, E]
  const torch::Tensor pairs = embedded.reshape({tokens.size(0), tokens.size(1) / 2, 2 * options_.embedding()});
  return summarise(std::get<0>(encoder_(pairs)));
}

torch::Tensor NaoModelImpl::dropout(const torch::Tensor& x) {
  const double p = options_.dropout();
  if (!is_training() || p <= 0.0) return x;
  const torch::Tensor keep = torch::empty_like(x).bernoulli_(1.0 - p, generator_);
  return x * keep / (1.0 - p);
}

torch::Tensor NaoModelImpl::predict(const torch::Tensor& embedding) {
  torch::Tensor x = embedding;
  for (const auto& layer : *mlp_) x = dropout(torch::relu(layer->as<torch::nn::Linear>()->forward(x)));
  return torch::sigmoid(regressor_(x)).squeeze(1);
}

torch::Tensor NaoModelImpl::attend(const torch::Tensor& decoder_outputs, const torch::Tensor& encoder_outputs) {
  const torch::Tensor scores = torch::bmm(query_(decoder_outputs), encoder_outputs.transpose(1, 2));  // [B, L, S]
  const torch::Tensor context = torch::bmm(torch::softmax(scores, -1), encoder_outputs);              // [B, L, H]
  return classifier_(torch::tanh(mix_(torch::cat({context, decoder_outputs}, -1))));
}

torch::Tensor NaoModelImpl::decoder_logits(const NaoEncoding& encoding, const torch::Tensor& targets) {
  const torch::Tensor inputs =
      torch::cat({torch::zeros({targets.size(0), 1}, torch::kLong), targets.narrow(1, 0, targets.size(1) - 1)}, 1);
  const torch::Tensor state = encoding.embedding.unsqueeze(0);  // [1, B, H]
  const torch::Tensor outputs = std::get<0>(decoder_(decoder_embedding_(inputs), std::make_tuple(state, state)));
  return attend(outputs, encoding.outputs);
}

torch::Tensor NaoModelImpl::greedy_decode(const NaoEncoding& encoding, const NaoVocabulary* vocabulary) {
  const std::int64_t batch = encoding.embedding.size(0);
  std::tuple<torch::Tensor, torch::Tensor> state{encoding.embedding.unsqueeze(0), encoding.embedding.unsqueeze(0)};
  torch::Tensor previous = torch::zeros({batch, 1}, torch::kLong);
  torch::Tensor decoded = torch::empty({batch, length_}, torch::kLong);
  std::vector<std::vector<std::int64_t>> prefixes(static_cast<std::size_t>(batch));  // space values, when masking
  torch::Tensor legal = torch::empty({batch, vocabulary_}, torch::kBool);
  for (std::int64_t t = 0; t < length_; ++t) {
    auto [outputs, next] = decoder_(decoder_embedding_(previous), state);
    state = next;
    torch::Tensor logits = attend(outputs, encoding.outputs).squeeze(1);  // [B, V]
    if (vocabulary != nullptr) {
      bool* flags = legal.data_ptr<bool>();
      for (std::int64_t b = 0; b < batch; ++b)
        vocabulary->legal(prefixes[static_cast<std::size_t>(b)], flags + b * vocabulary_);
      logits = logits.masked_fill(legal.logical_not(), -std::numeric_limits<float>::infinity());
    }
    previous = logits.argmax(1, true);
    decoded.select(1, t).copy_(previous.squeeze(1));
    if (vocabulary != nullptr) {
      const auto* chosen = previous.data_ptr<std::int64_t>();
      for (std::int64_t b = 0; b < batch; ++b) {
        prefixes[static_cast<std::size_t>(b)].push_back(vocabulary->value(chosen[b], static_cast<std::size_t>(t)));
      }
    }
  }
  return decoded;
}

}  // namespace controllers
