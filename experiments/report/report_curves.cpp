// Curves per epoch and accuracy against cost (report_sections.h).
#include <algorithm>
#include <cmath>

#include "experiments/report/html_text.h"
#include "experiments/report/report_sections.h"

namespace experiments {
namespace {

Series series_of(const EpochSeries& s, std::string title, SeriesStyle style) {
  return {std::move(title), s.x, s.y, style};
}

// One figure of `column` of `table` per epoch across the search runs.
LineFigure search_figure(PageBuilder& page, const std::vector<RunView>& runs, const std::string& table,
                         const std::string& column, Aggregate aggregate, const std::string& title,
                         const std::string& y_label) {
  LineFigure figure{title, "epoch", y_label, {}};
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const TableColumns* rows = runs[r].table(table);
    if (rows == nullptr || runs[r].archive.kind != "search") continue;
    const EpochSeries s = per_epoch(*rows, column, aggregate);
    if (s.x.empty()) continue;
    figure.series.push_back(series_of(s, series_title(runs, r, column), SeriesStyle::kLinesPoints));
    page.shown(static_cast<int>(r), table);
  }
  return figure;
}

// Every evaluated candidate's reward in the order the search evaluated
// them, with the best so far: the usual picture of a trial-based search.
LineFigure evaluation_order(const std::vector<RunView>& runs) {
  LineFigure figure{"Reward in the order of evaluation", "candidates evaluated", "reward", {}};
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const TableColumns* archs = runs[r].table("archs");
    if (archs == nullptr) continue;
    const std::vector<bool> evaluated = evaluated_rows(*archs);
    const std::vector<double> reward = numbers_of(*archs, "reward");
    Series each{series_title(runs, r, "candidate"), {}, {}, SeriesStyle::kPoints},
        best{series_title(runs, r, "best so far"), {}, {}, SeriesStyle::kSteps};
    for (std::size_t i = 0; i < archs->rows && !reward.empty(); ++i) {
      if (!evaluated[i] || !std::isfinite(reward[i])) continue;
      each.x.push_back(double(each.x.size() + 1));
      each.y.push_back(reward[i]);
      best.x.push_back(each.x.back());
      best.y.push_back(best.y.empty() ? reward[i] : std::max(best.y.back(), reward[i]));
    }
    figure.series.push_back(std::move(each));
    figure.series.push_back(std::move(best));
  }
  return figure;
}

// The evaluated candidates' accuracy per epoch, where the search's reward
// is something else (latency-aware rewards, multi-objective scalarisations).
LineFigure accuracy_figure(const std::vector<RunView>& runs) {
  LineFigure figure{"Accuracy of the candidates evaluated", "epoch", "accuracy", {}};
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const TableColumns* archs = runs[r].table("archs");
    if (archs == nullptr) continue;
    const std::vector<double> accuracy = numbers_of(*archs, "accuracy"), reward = numbers_of(*archs, "reward");
    bool differs = false;
    for (std::size_t i = 0; i < accuracy.size() && i < reward.size(); ++i) {
      differs = differs || (std::isfinite(accuracy[i]) && std::isfinite(reward[i]) && accuracy[i] != reward[i]);
    }
    if (!differs) continue;
    const std::vector<bool> keep = evaluated_rows(*archs);
    figure.series.push_back(series_of(per_epoch(*archs, "accuracy", Aggregate::kMean, false, keep),
                                      series_title(runs, r, "mean"), SeriesStyle::kLinesPoints));
    figure.series.push_back(series_of(per_epoch(*archs, "accuracy", Aggregate::kMax, false, keep),
                                      series_title(runs, r, "best of the epoch"), SeriesStyle::kLinesPoints));
  }
  return figure;
}

// Minutes since the run started at each epoch's end (/progress).
LineFigure wall_time_figure(const std::vector<RunView>& runs) {
  LineFigure figure{"Wall time at the end of each epoch (across resumes)", "epoch", "minutes", {}};
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const TableColumns* progress = runs[r].table("progress");
    if (progress == nullptr || !progress->texts.count("event")) continue;
    std::vector<bool> epoch_ends(progress->rows);
    for (std::size_t i = 0; i < progress->rows; ++i) epoch_ends[i] = progress->texts.at("event")[i] == "epoch";
    EpochSeries s = per_epoch(*progress, "seconds", Aggregate::kLast, false, epoch_ends);
    for (double& y : s.y) y /= 60.0;
    figure.series.push_back(series_of(s, series_title(runs, r, "wall time"), SeriesStyle::kLinesPoints));
  }
  return figure;
}

void search_curves(PageBuilder& page, const std::vector<RunView>& runs) {
  const bool any = std::any_of(runs.begin(), runs.end(), [](const RunView& r) { return r.archive.kind == "search"; });
  if (!any) return;
  page.section("search-curves", "Search curves per epoch");
  LineFigure reward{"Reward of the candidates evaluated", "epoch", "reward", {}};
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const TableColumns* archs = runs[r].table("archs");
    if (archs == nullptr) continue;
    const std::vector<bool> keep = evaluated_rows(*archs);
    reward.series.push_back(series_of(per_epoch(*archs, "reward", Aggregate::kMean, false, keep),
                                      series_title(runs, r, "mean"), SeriesStyle::kLinesPoints));
    reward.series.push_back(series_of(per_epoch(*archs, "reward", Aggregate::kMax, false, keep),
                                      series_title(runs, r, "best of the epoch"), SeriesStyle::kLinesPoints));
    reward.series.push_back(series_of(per_epoch(*archs, "reward", Aggregate::kRunningMax, false, keep),
                                      series_title(runs, r, "best so far"), SeriesStyle::kLinesPoints));
    page.shown(static_cast<int>(r), "archs");
  }
  page.figure(reward);
  page.figure(evaluation_order(runs));
  page.figure(accuracy_figure(runs));
  page.figure(wall_time_figure(runs));
  page.figure(search_figure(page, runs, "controller", "mean_reward", Aggregate::kMean,
                            "Controller: mean reward of its updates", "reward"));
  page.figure(search_figure(page, runs, "controller", "baseline", Aggregate::kLast,
                            "Controller: baseline (end of epoch)", "baseline"));
  page.figure(search_figure(page, runs, "controller", "entropy", Aggregate::kMean, "Controller: entropy of its policy",
                            "entropy (nats)"));
  page.figure(search_figure(page, runs, "training", "loss", Aggregate::kMean, "Shared weights: training loss",
                            "cross-entropy"));
  page.figure(search_figure(page, runs, "training", "accuracy", Aggregate::kMean, "Shared weights: training accuracy",
                            "accuracy"));
  page.figure(search_figure(page, runs, "training", "lr", Aggregate::kLast,
                            "Shared weights: learning rate (end of epoch)", "learning rate"));
}

void training_curves(PageBuilder& page, const std::vector<RunView>& runs) {
  const bool any = std::any_of(runs.begin(), runs.end(), [](const RunView& r) { return r.table("epochs") != nullptr; });
  if (!any) return;
  page.section("training-curves", "Final training per epoch");
  LineFigure loss{"Loss", "epoch", "cross-entropy", {}}, accuracy{"Accuracy", "epoch", "accuracy", {}},
      lr{"Learning rate (end of epoch)", "epoch", "learning rate", {}};
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const TableColumns* epochs = runs[r].table("epochs");
    if (epochs == nullptr) continue;
    for (const char* split : {"train", "test"}) {
      loss.series.push_back(series_of(per_epoch(*epochs, std::string(split) + "_loss", Aggregate::kLast, true),
                                      series_title(runs, r, split), SeriesStyle::kLinesPoints));
      accuracy.series.push_back(series_of(per_epoch(*epochs, std::string(split) + "_accuracy", Aggregate::kLast, true),
                                          series_title(runs, r, split), SeriesStyle::kLinesPoints));
    }
    lr.series.push_back(series_of(per_epoch(*epochs, "lr", Aggregate::kLast, true), series_title(runs, r, "lr"),
                                  SeriesStyle::kLinesPoints));
    page.shown(static_cast<int>(r), "epochs");
  }
  page.figure(accuracy);
  page.figure(loss);
  page.figure(lr);
}

// Points of `x_column` against the accuracy (or, without one, the reward) of `rows` where `keep`.
Series points_of(const TableColumns& rows, const std::string& x_column, const std::vector<bool>& keep,
                 std::string title, SeriesStyle style) {
  Series s{std::move(title), {}, {}, style};
  const std::vector<double> x = numbers_of(rows, x_column);
  std::vector<double> y = numbers_of(rows, "accuracy");
  if (y.empty()) y = numbers_of(rows, "reward");
  if (x.empty() || y.empty()) return s;
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < rows.rows; ++i) {
    if (keep.empty() || keep[i]) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  for (std::size_t i : order) {
    s.x.push_back(x[i]);
    s.y.push_back(y[i]);
  }
  return s;
}

// Whether `column` is one of a multi-objective run's objectives (the
// /pareto table's "objectives" text, e.g. "accuracy,latency_ms").
bool is_objective(const RunView& run, const std::string& column) {
  const TableColumns* pareto = run.table("pareto");
  if (pareto == nullptr || !pareto->texts.count("objectives")) return false;
  const std::string objectives = "," + pareto->texts.at("objectives").back() + ",";
  return objectives.find("," + column + ",") != std::string::npos;
}

}  // namespace

std::string series_title(const std::vector<RunView>& runs, std::size_t run, const std::string& what) {
  return runs.size() > 1 ? runs[run].name + ": " + what : what;
}

void add_curves(PageBuilder& page, const std::vector<RunView>& runs) {
  search_curves(page, runs);
  training_curves(page, runs);
}

void add_cost(PageBuilder& page, const std::vector<RunView>& runs) {
  const struct {
    const char* column;
    const char* label;
    bool log;
  } costs[] = {{"params", "parameters", true},
               {"macs", "multiply-accumulates per image", true},
               {"latency_ms", "latency (ms per image)", false}};
  bool started = false;
  for (const auto& cost : costs) {
    LineFigure figure{std::string("Accuracy against ") + cost.label, cost.label, "accuracy", {}, cost.log};
    for (std::size_t r = 0; r < runs.size(); ++r) {
      const TableColumns* archs = runs[r].table("archs");
      if (archs == nullptr) continue;
      figure.series.push_back(points_of(*archs, cost.column, evaluated_rows(*archs),
                                        series_title(runs, r, "candidates"), SeriesStyle::kPoints));
      if (const TableColumns* front = runs[r].table("front"); front != nullptr && is_objective(runs[r], cost.column)) {
        // The front as last recorded: the rows of the last epoch that wrote one.
        const std::vector<double> epochs = numbers_of(*front, "epoch");
        std::vector<bool> last(front->rows, false);
        for (std::size_t i = 0; i < front->rows; ++i) last[i] = epochs.empty() || epochs[i] == epochs.back();
        figure.series.push_back(
            points_of(*front, cost.column, last, series_title(runs, r, "Pareto front"), SeriesStyle::kSteps));
        page.shown(static_cast<int>(r), "front");
      }
    }
    if (!has_data(figure)) continue;
    if (!started) page.section("cost", "Accuracy against cost, every evaluated candidate");
    started = true;
    page.figure(figure);
  }
  for (std::size_t r = 0; r < runs.size() && started; ++r) {
    const TableColumns* front = runs[r].table("front");
    if (front == nullptr || !front->texts.count("canonical")) continue;
    const std::vector<double> epochs = numbers_of(*front, "epoch");
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < front->rows; ++i) {
      if (!epochs.empty() && epochs[i] != epochs.back()) continue;
      std::vector<std::string> row = {front->texts.at("canonical")[i]};
      for (const char* metric : {"accuracy", "latency_ms", "params", "macs"}) {
        const std::vector<double> values = numbers_of(*front, metric);
        row.push_back(values.empty()                                                     ? "-"
                      : std::string(metric) == "params" || std::string(metric) == "macs" ? count_text(values[i])
                                                                                         : fixed_text(values[i], 4));
      }
      rows.push_back(std::move(row));
    }
    page.html("<h3>" + escape_html(series_title(runs, r, "the Pareto front")) + " (as last recorded, " +
              std::to_string(rows.size()) + " architectures)</h3>\n" +
              html_table({"architecture", "accuracy", "latency_ms", "params", "macs"}, rows));
  }
}

}  // namespace experiments
