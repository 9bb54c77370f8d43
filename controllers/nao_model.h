#pragma once
// The encoder–predictor–decoder of NAO (Luo et al. 2018, "Neural
// Architecture Optimization"), over any space whose decisions are input
// indices and ops (nao, enas_micro, darts, pnas) with an even token count.
//
// Vocabulary (NaoVocabulary): token 0 starts the decoder; an input-index
// value v is token 1 + v; an op value o is token 1 + I + o, where I is the
// most choices any input decision has. For nao(nodes=5) these are NAO's own
// 12 tokens (inputs 1..6, ops 7..11).
//
// Encoder: a token embedding (E); each pair of consecutive tokens (an
// input and its op) is one step of 2E; a one-layer LSTM (H). Every step's
// output is L2-normalised; their mean, L2-normalised again, is the
// architecture's embedding (summarise()).
// Predictor: `mlp_layers` ReLU layers of `mlp_hidden` with dropout, then a
// linear layer and a sigmoid: the predicted (normalised) score.
// Decoder: a one-layer LSTM (H) over the previous token's embedding (H),
// started from (embedding, embedding); at each step its output is projected
// to the encoder's width, dotted with every encoder output, softmaxed over
// source positions, and the mixed encoder outputs are concatenated with the
// output, through a linear layer and tanh, then to logits over the
// vocabulary. Greedy decoding can mask, at each position, the tokens the
// space forbids after the prefix decoded so far, so it only emits valid
// architectures.
//
// Parameters are drawn from the seed's own generator, and dropout draws
// from it too (generator()), so the model is reproducible on its own.

#include <torch/torch.h>

#include <cstdint>
#include <span>
#include <vector>

#include "spaces/infra/options.h"
#include "spaces/search_space.h"

namespace controllers {

class NaoVocabulary {
 public:
  // Throws spaces::OptionError for a space with other decision kinds or an odd token count.
  explicit NaoVocabulary(spaces::SpacePtr space);
  std::int64_t size() const { return size_; }
  std::int64_t length() const { return static_cast<std::int64_t>(space_->num_tokens()); }
  const spaces::SpacePtr& space() const { return space_; }

  // Architectures -> [N, T] vocabulary tokens.
  torch::Tensor tokens(const std::vector<spaces::Arch>& archs) const;
  // Vocabulary token at `position` -> the space's value, or -1 if the token
  // is of the wrong kind there (an op at an input position, the start token).
  std::int64_t value(std::int64_t token, std::size_t position) const;
  // Vocabulary tokens -> the space's values (-1 where value() has none).
  std::vector<std::int64_t> values(std::span<const std::int64_t> tokens) const;
  // Writes size() flags to `out`: which tokens are legal at position
  // prefix.size() after `prefix` (space values).
  void legal(std::span<const std::int64_t> prefix, bool* out) const;

 private:
  spaces::SpacePtr space_;
  std::int64_t inputs_ = 0, size_ = 0;
};

struct NaoModelOptions {
  TORCH_ARG(std::int64_t, embedding) = 48;    // E, token embedding of the encoder
  TORCH_ARG(std::int64_t, hidden) = 96;       // H, encoder and decoder LSTM state
  TORCH_ARG(std::int64_t, mlp_layers) = 3;    // predictor hidden layers
  TORCH_ARG(std::int64_t, mlp_hidden) = 100;  // predictor layer width
  TORCH_ARG(double, dropout) = 0.1;           // predictor dropout (training only)

 public:
  // Names, help and ranges (NAO registers them as its own options).
  static const spaces::OptionSchema<NaoModelOptions>& schema();
};

// An encoded batch: per-step outputs [B, S, H] (L2-normalised) and the
// architecture embeddings [B, H].
struct NaoEncoding {
  torch::Tensor outputs, embedding;
};

class NaoModelImpl : public torch::nn::Module {
 public:
  NaoModelImpl(std::int64_t vocabulary, std::int64_t length, NaoModelOptions options, std::uint64_t seed);

  // [B, T] tokens -> encoding.
  NaoEncoding encode(const torch::Tensor& tokens);
  // Per-step vectors [B, S, H] -> normalised steps and their normalised mean.
  static NaoEncoding summarise(const torch::Tensor& steps);
  // [B, H] embeddings -> [B] predicted scores in (0, 1).
  torch::Tensor predict(const torch::Tensor& embedding);
  // Teacher forcing: [B, T] targets -> [B, T, V] logits, the decoder reading
  // the start token and then each target's predecessor.
  torch::Tensor decoder_logits(const NaoEncoding& encoding, const torch::Tensor& targets);
  // Greedy decoding of T tokens -> [B, T]. With `vocabulary`, each step
  // keeps only the tokens legal after the row's prefix; without, any token.
  torch::Tensor greedy_decode(const NaoEncoding& encoding, const NaoVocabulary* vocabulary);

  at::Generator& generator() { return generator_; }
  const NaoModelOptions& options() const { return options_; }

 private:
  torch::Tensor dropout(const torch::Tensor& x);
  // Decoder outputs [B, L, H] attending over the encoder -> logits [B, L, V].
  torch::Tensor attend(const torch::Tensor& decoder_outputs, const torch::Tensor& encoder_outputs);

  std::int64_t vocabulary_, length_;
  NaoModelOptions options_;
  at::Generator generator_;
  torch::nn::Embedding encoder_embedding_{nullptr}, decoder_embedding_{nullptr};
  torch::nn::LSTM encoder_{nullptr}, decoder_{nullptr};
  torch::nn::ModuleList mlp_{nullptr};
  torch::nn::Linear regressor_{nullptr}, query_{nullptr}, mix_{nullptr}, classifier_{nullptr};
};
TORCH_MODULE(NaoModel);

}  // namespace controllers
