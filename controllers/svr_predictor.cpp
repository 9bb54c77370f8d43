#include "controllers/svr_predictor.h"

#include <libsvm/svm.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "spaces/infra/number_text.h"
#include "spaces/infra/params.h"

namespace controllers {
namespace {

// libsvm's rows: each row's non-zero columns (1-based) and a terminator.
struct SparseRows {
  std::vector<std::vector<svm_node>> rows;
  std::vector<svm_node*> pointers;

  explicit SparseRows(const torch::Tensor& x) {
    const torch::Tensor dense = x.to(torch::kDouble).contiguous();
    const auto a = dense.accessor<double, 2>();
    for (std::int64_t i = 0; i < dense.size(0); ++i) {
      std::vector<svm_node> row;
      for (std::int64_t j = 0; j < dense.size(1); ++j) {
        if (a[i][j] != 0.0) row.push_back({static_cast<int>(j + 1), a[i][j]});
      }
      row.push_back({-1, 0.0});
      rows.push_back(std::move(row));
    }
    for (auto& row : rows) pointers.push_back(row.data());
  }
};

void quiet(const char*) {}

svm_parameter rbf_svr(double cost, double gamma, const SvrOptions& options) {
  svm_parameter p{};
  p.svm_type = EPSILON_SVR;
  p.kernel_type = RBF;
  p.gamma = gamma;
  p.C = cost;
  p.p = options.epsilon;
  p.eps = options.tolerance;
  p.cache_size = 200;  // MB, scikit-learn's default
  p.shrinking = 1;
  p.probability = 0;
  p.nr_weight = 0;
  return p;
}

}  // namespace

// The trained model points into its training rows, which it therefore owns.
struct SvrPredictor::Model {
  SparseRows rows;
  std::vector<double> targets;
  svm_problem problem{};
  svm_model* model = nullptr;

  Model(const torch::Tensor& x, std::vector<double> y, const svm_parameter& parameter)
      : rows(x), targets(std::move(y)) {
    problem.l = static_cast<int>(targets.size());
    problem.y = targets.data();
    problem.x = rows.pointers.data();
    if (const char* error = svm_check_parameter(&problem, &parameter)) {
      throw std::invalid_argument(std::string("SVR predictor: ") + error);
    }
    model = svm_train(&problem, &parameter);
  }
  ~Model() { svm_free_and_destroy_model(&model); }
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  torch::Tensor predict(const torch::Tensor& x) const {
    const SparseRows query(x);
    std::vector<double> out;
    for (svm_node* row : query.pointers) out.push_back(svm_predict(model, row));
    return torch::tensor(out, torch::kDouble);
  }
};

SvrPredictor::SvrPredictor(spaces::SpacePtr space, SvrOptions options)
    : PerformancePredictor("SVR predictor", *space), options_(std::move(options)) {
  if (options_.costs.empty()) throw std::invalid_argument("SVR predictor: no C to choose from");
  for (double c : options_.costs) {
    if (!(c > 0.0)) throw std::invalid_argument("SVR predictor: C must be positive");
  }
  if (!(options_.epsilon >= 0.0) || !(options_.tolerance > 0.0)) {
    throw std::invalid_argument("SVR predictor: epsilon must be >= 0 and the tolerance > 0");
  }
  if (options_.folds < 2) throw std::invalid_argument("SVR predictor: at least 2 folds");
  svm_set_print_string_function(&quiet);
}

SvrPredictor::~SvrPredictor() = default;

void SvrPredictor::fit_encoded(const torch::Tensor& x, const std::vector<double>& targets) {
  const double gamma = 1.0 / double(x.size(1));  // scikit-learn's gamma='auto'
  const torch::Tensor y = torch::tensor(targets, torch::kDouble);
  const std::vector<std::int64_t> folds = contiguous_folds(static_cast<std::int64_t>(targets.size()), options_.folds);
  cost_ = options_.costs.front();
  validation_score_ = std::numeric_limits<double>::quiet_NaN();
  for (double cost : options_.costs) {
    const double score = cross_validated_score(
        x, y, folds, options_.score, [&](const torch::Tensor& xt, const torch::Tensor& yt, const torch::Tensor& xh) {
          const std::vector<double> train(yt.data_ptr<double>(), yt.data_ptr<double>() + yt.numel());
          return Model(xt, train, rbf_svr(cost, gamma, options_)).predict(xh);
        });
    if (!std::isnan(score) && (std::isnan(validation_score_) || score < validation_score_)) {
      validation_score_ = score;
      cost_ = cost;
    }
  }
  model_ = std::make_unique<Model>(x, targets, rbf_svr(cost_, gamma, options_));
}

torch::Tensor SvrPredictor::predict_encoded(const torch::Tensor& x) const { return model_->predict(x); }

std::string SvrPredictor::summary() const {
  return "RBF support vector regression (C " + spaces::to_string(spaces::ParamValue(cost_)) + "); cross-validated " +
         to_string(options_.score) + " " + spaces::fixed(validation_score_, 4);
}

}  // namespace controllers
