#include "controllers/performance_predictor.h"

#include <stdexcept>

#include "controllers/mlp_predictor.h"
#include "controllers/ridge_predictor.h"

namespace controllers {

void PerformancePredictor::fit(const std::vector<std::vector<std::int64_t>>& tokens,
                               const std::vector<double>& targets) {
  if (tokens.size() != targets.size()) throw std::invalid_argument(name_ + ": tokens and targets differ");
  if (tokens.size() < 2) {
    throw std::invalid_argument(name_ + ": needs at least 2 examples, got " + std::to_string(tokens.size()));
  }
  fit_encoded(encoding_.encode(tokens, torch::kDouble, name_), targets);
  fitted_ = true;
}

std::vector<double> PerformancePredictor::predict(const std::vector<std::vector<std::int64_t>>& tokens) const {
  if (!fitted_) throw std::logic_error(name_ + ": predict before fit");
  const torch::Tensor p = predict_encoded(encoding_.encode(tokens, torch::kDouble, name_)).to(torch::kDouble);
  return {p.data_ptr<double>(), p.data_ptr<double>() + p.numel()};
}

std::vector<std::string> predictor_models() { return {"ridge", "mlp"}; }

std::unique_ptr<PerformancePredictor> make_predictor(const std::string& model, spaces::SpacePtr space,
                                                     std::uint64_t seed) {
  if (model == "ridge") return std::make_unique<RidgePredictor>(std::move(space));
  if (model == "mlp") return std::make_unique<MlpPredictor>(std::move(space), MlpPredictorOptions{.seed = seed});
  throw std::invalid_argument("unknown predictor model '" + model + "' (known: ridge, mlp)");
}

}  // namespace controllers
