#include "controllers/dynas_predictor.h"

#include <cmath>

#include "spaces/infra/number_text.h"

namespace controllers {

DynasPredictor::DynasPredictor(spaces::SpacePtr space)
    : PerformancePredictor("DyNAS-T predictor", *space), ridge_(space, dynas_ridge_options()), svr_(space) {}

void DynasPredictor::fit_encoded(const torch::Tensor& x, const std::vector<double>& targets) {
  fit_encoded_of(ridge_, x, targets);
  fit_encoded_of(svr_, x, targets);
  // The lower cross-validated MAPE wins; without a score (too few examples) the ridge regression.
  chose_svr_ = !std::isnan(svr_.validation_score()) &&
               (std::isnan(ridge_.validation_score()) || svr_.validation_score() < ridge_.validation_score());
}

torch::Tensor DynasPredictor::predict_encoded(const torch::Tensor& x) const {
  return chose_svr_ ? predict_encoded_of(svr_, x) : predict_encoded_of(ridge_, x);
}

std::string DynasPredictor::summary() const {
  const double kept = chose_svr_ ? svr_.validation_score() : ridge_.validation_score();
  const double other = chose_svr_ ? ridge_.validation_score() : svr_.validation_score();
  return std::string(chose_svr_ ? "SVR" : "ridge") + " kept (MAPE " + spaces::fixed(kept, 4) + " against " +
         (chose_svr_ ? "ridge's " : "SVR's ") + spaces::fixed(other, 4) +
         "): " + (chose_svr_ ? svr_.summary() : ridge_.summary());
}

}  // namespace controllers
