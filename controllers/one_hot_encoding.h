#pragma once
// OneHotEncoding: an architecture's tokens as one row of 0/1 features, a
// block per decision of the space as wide as its choices, the token's
// column set; a -1 padding token (PNAS's smaller cells) leaves its block
// all zero, as OFA's encoder leaves the slots beyond a stage's depth
// (once-for-all arch_encoder.py:88-104). The encoding of the field's
// performance predictors (OFA, DyNAS-T): RidgePredictor and MlpPredictor.

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "spaces/search_space.h"

namespace controllers {

class OneHotEncoding {
 public:
  explicit OneHotEncoding(const spaces::SearchSpace& space);

  // Columns: the sum of every decision's choices.
  std::int64_t width() const { return width_; }
  // [rows, width()] of `dtype`; a row shorter than the space's decisions
  // leaves the blocks of its missing decisions all zero, as -1 padding
  // does. Throws std::invalid_argument, naming `who`,
  // for a row longer than the space's decisions or a token outside its
  // decision's range.
  torch::Tensor encode(const std::vector<std::vector<std::int64_t>>& tokens, torch::ScalarType dtype,
                       const std::string& who) const;

 private:
  std::vector<std::int64_t> offsets_;  // first column of each decision
  std::vector<std::int64_t> choices_;  // each decision's number of choices
  std::int64_t width_ = 0;
};

}  // namespace controllers
