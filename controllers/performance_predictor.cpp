#include "controllers/performance_predictor.h"

#include <stdexcept>

#include "controllers/dynas_predictor.h"
#include "controllers/mlp_predictor.h"
#include "controllers/ridge_predictor.h"
#include "controllers/svr_predictor.h"

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

void PerformancePredictor::fit_encoded_of(PerformancePredictor& other, const torch::Tensor& x,
                                          const std::vector<double>& targets) {
  other.fit_encoded(x, targets);
  other.fitted_ = true;
}

std::vector<std::string> predictor_models() { return {"ridge", "svr", "dynas", "mlp"}; }

std::unique_ptr<PerformancePredictor> make_predictor(const std::string& model, spaces::SpacePtr space,
                                                     std::uint64_t seed) {
  if (model == "ridge") return std::make_unique<RidgePredictor>(std::move(space));
  if (model == "svr") return std::make_unique<SvrPredictor>(std::move(space));
  if (model == "dynas") return std::make_unique<DynasPredictor>(std::move(space));
  if (model == "mlp") return std::make_unique<MlpPredictor>(std::move(space), MlpPredictorOptions{.seed = seed});
  std::string known;
  for (const std::string& name : predictor_models()) known += (known.empty() ? "" : ", ") + name;
  throw std::invalid_argument("unknown predictor model '" + model + "' (known: " + known + ")");
}

}  // namespace controllers
