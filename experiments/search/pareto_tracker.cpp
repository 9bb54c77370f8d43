#include "experiments/search/pareto_tracker.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "experiments/search/metrics_text.h"
#include "spaces/arch.h"

namespace experiments {

ParetoTracker::ParetoTracker(SearchObjectives objectives) : objectives_(std::move(objectives)) {}

bool ParetoTracker::add(const std::string& canonical, const std::vector<std::int64_t>& tokens,
                        const controllers::Metrics& metrics) {
  ++measured_;
  controllers::ObjectiveVector point = objectives_.of(metrics);
  for (double v : point) {
    if (!std::isfinite(v)) return false;
  }
  for (const Member& m : front_) {
    if (controllers::dominates(m.objectives, point)) return false;
  }
  std::erase_if(front_, [&](const Member& m) { return controllers::dominates(point, m.objectives); });
  front_.push_back({canonical, tokens, metrics, std::move(point)});
  return true;
}

double ParetoTracker::hypervolume() const {
  std::vector<controllers::ObjectiveVector> points;
  for (const Member& m : front_) points.push_back(m.objectives);
  return controllers::hypervolume(points, objectives_.oriented_reference());
}

std::vector<spaces::Record> ParetoTracker::records() const {
  std::vector<spaces::Record> rows;
  spaces::Record summary("pareto");
  summary.set("measured", measured_)
      .set("front_size", static_cast<std::int64_t>(front_.size()))
      .set("hypervolume", hypervolume());
  std::string objectives;
  for (std::size_t i = 0; i < objectives_.names.size(); ++i) {
    objectives += (i == 0 ? "" : ",") + objectives_.names[i];
    summary.set("reference_" + objectives_.names[i], objectives_.reference[i]);
  }
  summary.set("objectives", objectives);
  rows.push_back(std::move(summary));
  for (const Member& m : front_) {
    spaces::Record row("front");
    row.set("canonical", m.canonical).set("tokens", m.tokens);
    for (const auto& [name, value] : m.metrics) row.set(name, value);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string ParetoTracker::state_text() const {
  std::string text = std::to_string(measured_) + "\n";
  for (const Member& m : front_)
    text += m.canonical + "\t" + spaces::join_tokens(m.tokens) + "\t" + metrics_text(m.metrics) + "\n";
  return text;
}

void ParetoTracker::load_state_text(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  if (!std::getline(lines, line)) throw std::invalid_argument("the Pareto front's state is empty");
  const std::int64_t measured = std::stoll(line);
  std::vector<Member> front;
  while (std::getline(lines, line)) {
    const auto first = line.find('\t'), second = line.find('\t', first + 1);
    if (first == std::string::npos || second == std::string::npos) {
      throw std::invalid_argument("unreadable member of the Pareto front '" + line + "'");
    }
    Member m;
    m.canonical = line.substr(0, first);
    std::istringstream tokens(line.substr(first + 1, second - first - 1));
    for (std::int64_t t = 0; tokens >> t;) m.tokens.push_back(t);
    m.metrics = metrics_from_text(line.substr(second + 1));
    m.objectives = objectives_.of(m.metrics);
    front.push_back(std::move(m));
  }
  front_ = std::move(front);
  measured_ = measured;
}

}  // namespace experiments
