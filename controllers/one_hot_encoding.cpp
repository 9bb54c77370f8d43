#include "controllers/one_hot_encoding.h"

#include <stdexcept>

namespace controllers {

OneHotEncoding::OneHotEncoding(const spaces::SearchSpace& space) {
  for (const spaces::Decision& d : space.decisions()) {
    offsets_.push_back(width_);
    choices_.push_back(d.num_choices);
    width_ += d.num_choices;
  }
}

torch::Tensor OneHotEncoding::encode(const std::vector<std::vector<std::int64_t>>& tokens, torch::ScalarType dtype,
                                     const std::string& who) const {
  torch::Tensor x = torch::zeros({static_cast<std::int64_t>(tokens.size()), width_}, torch::kDouble);
  auto rows = x.accessor<double, 2>();
  for (std::size_t r = 0; r < tokens.size(); ++r) {
    if (tokens[r].size() > choices_.size()) {
      throw std::invalid_argument(who + ": a row of " + std::to_string(tokens[r].size()) + " tokens for a space of " +
                                  std::to_string(choices_.size()));
    }
    for (std::size_t i = 0; i < tokens[r].size(); ++i) {
      const std::int64_t value = tokens[r][i];
      if (value < 0) continue;  // padding
      if (value >= choices_[i]) {
        throw std::invalid_argument(who + ": token " + std::to_string(i) + " is " + std::to_string(value) +
                                    ", outside its decision's " + std::to_string(choices_[i]) + " choices");
      }
      rows[static_cast<std::int64_t>(r)][offsets_[i] + value] = 1.0;
    }
  }
  return x.to(dtype);
}

}  // namespace controllers
