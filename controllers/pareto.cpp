#include "controllers/pareto.h"

#include <pagmo/utils/hypervolume.hpp>
#include <pagmo/utils/multi_objective.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace controllers {
namespace {

void check_points(const std::vector<ObjectiveVector>& points, std::size_t size, const char* what) {
  if (size < 2) throw std::invalid_argument(std::string(what) + ": objective vectors need at least 2 objectives");
  for (const ObjectiveVector& p : points) {
    if (p.size() != size) {
      throw std::invalid_argument(std::string(what) + ": an objective vector of " + std::to_string(p.size()) +
                                  " objectives among vectors of " + std::to_string(size));
    }
    for (double v : p) {
      if (!std::isfinite(v)) throw std::invalid_argument(std::string(what) + ": an objective value is not finite");
    }
  }
}

}  // namespace

bool maximised(const std::string& metric) { return metric == "accuracy"; }

double objective_value(const std::string& metric, double value) { return maximised(metric) ? -value : value; }

double metric_value(const std::string& metric, double objective) { return maximised(metric) ? -objective : objective; }

bool dominates(const ObjectiveVector& a, const ObjectiveVector& b) {
  if (a.size() != b.size()) throw std::invalid_argument("dominates: objective vectors of different sizes");
  bool better = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    better = better || a[i] < b[i];
  }
  return better;
}

std::vector<std::size_t> non_dominated(const std::vector<ObjectiveVector>& points) {
  if (points.empty()) return {};
  check_points(points, points.front().size(), "non_dominated");
  if (points.size() == 1) return {0};
  const auto sorted = pagmo::fast_non_dominated_sorting(points);
  std::vector<std::size_t> front(std::get<0>(sorted).front().begin(), std::get<0>(sorted).front().end());
  std::sort(front.begin(), front.end());
  return front;
}

double hypervolume(const std::vector<ObjectiveVector>& points, const ObjectiveVector& reference) {
  check_points({reference}, reference.size(), "hypervolume");
  check_points(points, reference.size(), "hypervolume");
  std::vector<pagmo::vector_double> inside;
  for (const ObjectiveVector& p : points) {
    bool below = true;
    for (std::size_t i = 0; i < p.size(); ++i) below = below && p[i] < reference[i];
    if (below) inside.push_back(p);
  }
  if (inside.empty()) return 0.0;
  return pagmo::hypervolume(inside, true).compute(reference);
}

}  // namespace controllers
