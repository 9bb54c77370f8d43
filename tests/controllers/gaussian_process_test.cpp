#include "controllers/gaussian_process.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace controllers {
namespace {

torch::Tensor column(std::vector<double> values) { return torch::tensor(values, torch::kDouble).unsqueeze(1); }

TEST(GaussianProcess, TheMatern52KernelAtAKnownDistanceEqualsTheFormula) {
  const torch::Tensor a = torch::tensor({{0.0, 0.0}}, torch::kDouble);
  const torch::Tensor b = torch::tensor({{0.3, 0.4}}, torch::kDouble);
  const auto formula = [](double r, double s2) {
    return s2 * (1.0 + std::sqrt(5.0) * r + 5.0 * r * r / 3.0) * std::exp(-std::sqrt(5.0) * r);
  };
  // Isotropic: r = 0.5.
  const torch::Tensor k =
      GaussianProcess::matern52(a, b, torch::tensor({1.0, 1.0}, torch::kDouble), torch::tensor(2.0, torch::kDouble));
  EXPECT_NEAR(k.item<double>(), formula(0.5, 2.0), 1e-12);
  // ARD: each coordinate scaled by its own length-scale.
  const torch::Tensor ard =
      GaussianProcess::matern52(a, b, torch::tensor({0.5, 2.0}, torch::kDouble), torch::tensor(1.0, torch::kDouble));
  EXPECT_NEAR(ard.item<double>(), formula(std::hypot(0.3 / 0.5, 0.4 / 2.0), 1.0), 1e-12);
  // A point with itself: the signal variance.
  EXPECT_NEAR(
      GaussianProcess::matern52(b, b, torch::tensor({0.5, 2.0}, torch::kDouble), torch::tensor(1.5, torch::kDouble))
          .item<double>(),
      1.5, 1e-12);
}

TEST(GaussianProcess, WithTinyNoiseThePosteriorMeanInterpolatesTheTrainingPoints) {
  const torch::Tensor x = torch::tensor({{0.1, 0.9}, {0.4, 0.2}, {0.7, 0.5}, {0.9, 0.8}, {0.2, 0.3}}, torch::kDouble);
  const torch::Tensor y = torch::tensor({0.3, -1.2, 0.8, 2.0, 0.1}, torch::kDouble);
  GaussianProcess gp;
  gp.condition(x, y);
  gp.set_hyperparameters(torch::tensor({0.5, 0.5}, torch::kDouble), 1.0, 1e-6);
  const GpPrediction p = gp.predict(x);
  EXPECT_TRUE(torch::allclose(p.mean, y, 0.0, 1e-3)) << p.mean;
  EXPECT_LT(p.variance.max().item<double>(), 1e-4);
}

TEST(GaussianProcess, TheVarianceShrinksNearTheData) {
  GaussianProcess gp;
  gp.condition(column({0.0, 0.1, 0.2}), torch::tensor({1.0, 2.0, 1.5}, torch::kDouble));
  gp.set_hyperparameters(torch::tensor({0.2}, torch::kDouble), 1.0, 1e-4);
  const GpPrediction p = gp.predict(column({0.15, 0.5, 0.95}));
  const double near = p.variance[0].item<double>(), middle = p.variance[1].item<double>(),
               far = p.variance[2].item<double>();
  EXPECT_LT(near, 0.05 * far);
  EXPECT_LT(near, middle);
  EXPECT_LT(middle, far);
  // Far from the data: the prior variance, in the targets' units (their variance).
  const double target_variance = torch::tensor({1.0, 2.0, 1.5}, torch::kDouble).var(false).item<double>();
  EXPECT_NEAR(far, target_variance, 0.01 * target_variance);
}

TEST(GaussianProcess, MarginalLikelihoodFittingFindsALongerLengthScaleForASmootherFunction) {
  std::vector<double> xs;
  for (int i = 0; i < 24; ++i) xs.push_back((i + 0.5) / 24.0);
  const torch::Tensor x = column(xs);
  const torch::Tensor smooth = torch::sin(x.squeeze(1) * std::numbers::pi);       // half a period over [0, 1]
  const torch::Tensor rough = torch::sin(x.squeeze(1) * 8.0 * std::numbers::pi);  // four periods
  spaces::Rng rng(5);
  GaussianProcess smooth_gp, rough_gp;
  smooth_gp.fit(x, smooth, rng);
  rough_gp.fit(x, rough, rng);
  const double smooth_scale = smooth_gp.length_scales().item<double>();
  const double rough_scale = rough_gp.length_scales().item<double>();
  EXPECT_GT(smooth_scale, 2.0 * rough_scale) << smooth_scale << " vs " << rough_scale;
  // The fit is at least as likely as the default start.
  GaussianProcess start;
  start.condition(x, rough);
  EXPECT_GE(rough_gp.log_marginal_likelihood(), start.log_marginal_likelihood() - 1e-9);
}

TEST(GaussianProcess, ABelievedPointPullsTheMeanAndKeepsTheHyperParameters) {
  GaussianProcess gp;
  spaces::Rng rng(1);
  gp.fit(column({0.0, 0.3, 0.6}), torch::tensor({0.0, 1.0, 0.0}, torch::kDouble), rng);
  const double scale = gp.length_scales().item<double>(), noise = gp.noise_variance();
  const double before = gp.predict(column({0.9})).mean.item<double>();
  gp.believe(column({0.9}), torch::tensor({5.0}, torch::kDouble));
  EXPECT_EQ(gp.size(), 4);
  EXPECT_EQ(gp.length_scales().item<double>(), scale);
  EXPECT_EQ(gp.noise_variance(), noise);
  EXPECT_GT(gp.predict(column({0.9})).mean.item<double>(), before + 1.0);
  EXPECT_THROW(GaussianProcess().believe(column({0.1}), torch::tensor({1.0}, torch::kDouble)), std::logic_error);
}

TEST(GaussianProcess, RefusesInputsOfAnotherWidth) {
  GaussianProcess gp({0, 0, 1});  // three columns, two length-scales
  EXPECT_THROW(gp.condition(torch::zeros({2, 2}, torch::kDouble), torch::zeros({2}, torch::kDouble)),
               std::invalid_argument);
  gp.condition(torch::rand({3, 3}, torch::kDouble), torch::rand({3}, torch::kDouble));
  EXPECT_EQ(gp.length_scales().numel(), 2);
  EXPECT_THROW(gp.predict(torch::zeros({1, 2}, torch::kDouble)), std::invalid_argument);
}

}  // namespace
}  // namespace controllers
