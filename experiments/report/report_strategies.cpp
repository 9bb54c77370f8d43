// Strategy records (report_sections.h): what a strategy adds to the
// archive beside /archs, /controller and /training.
#include <algorithm>
#include <cmath>
#include <map>

#include "experiments/report/html_text.h"
#include "experiments/report/report_sections.h"
#include "spaces/darts_space.h"

namespace experiments {
namespace {

// A cell's text: 4 decimals for numbers, as stored for texts.
std::string cell_text(const TableColumns& t, const std::string& column, std::size_t row) {
  if (auto it = t.numbers.find(column); it != t.numbers.end()) return fixed_text(it->second[row], 4);
  // 1-based, as the figures number epochs (rows carry the epochs completed before them).
  if (column == "epoch" && t.integers.count(column)) return std::to_string(t.integers.at(column)[row] + 1);
  if (auto it = t.integers.find(column); it != t.integers.end()) return std::to_string(it->second[row]);
  if (auto it = t.texts.find(column); it != t.texts.end()) return it->second[row];
  return "";
}

// The scalar columns of `t` (position first), at most `limit` rows, the last ones.
std::string table_html(const TableColumns& t, std::size_t limit = 30) {
  std::vector<std::string> header;
  for (const char* position : {"epoch", "step"}) {
    if (t.integers.count(position)) header.push_back(position);
  }
  for (const auto& [name, _] : t.integers) {
    if (name != "epoch" && name != "step") header.push_back(name);
  }
  for (const auto& [name, _] : t.numbers) header.push_back(name);
  for (const auto& [name, _] : t.texts) header.push_back(name);
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = t.rows > limit ? t.rows - limit : 0; i < t.rows; ++i) {
    std::vector<std::string> row;
    for (const std::string& column : header) row.push_back(cell_text(t, column, i));
    rows.push_back(std::move(row));
  }
  std::string note;
  if (t.rows > limit)
    note = "<p class=\"note\">the last " + std::to_string(limit) + " of " + std::to_string(t.rows) + " rows</p>\n";
  return note + html_table(header, rows);
}

// Labels of the edges of a DARTS cell, numbered as its drawing numbers
// them (in0, in1, then node 2, 3, ...; node k takes in0, in1 and every
// earlier node: 14 edges for 4 nodes), or "edge e".
std::vector<std::string> edge_labels(std::size_t edges) {
  std::vector<std::string> labels;
  for (int node = 2; labels.size() < edges; ++node) {
    for (int input = 0; input < node; ++input) {
      labels.push_back("node " + std::to_string(node) + " <- " + (input < 2 ? "in" : "node ") + std::to_string(input));
    }
  }
  if (labels.size() != edges) {
    labels.clear();
    for (std::size_t e = 0; e < edges; ++e) labels.push_back("edge " + std::to_string(e));
  }
  return labels;
}

// The names of `ops` ops: the space's vocabulary, or DARTS's PRIMITIVES
// ('none' first: softmax(alpha) has a weight for it where the space's
// derived genotypes have no token), or "op k".
std::vector<std::string> op_labels(const RunView& run, std::size_t ops) {
  std::vector<std::string> names = run.space ? run.space->op_names() : std::vector<std::string>{};
  if (names.size() != ops && spaces::darts_primitives().size() == ops) names = spaces::darts_primitives();
  if (names.size() != ops) {
    names.clear();
    for (std::size_t o = 0; o < ops; ++o) names.push_back("op " + std::to_string(o));
  }
  return names;
}

// Two heat maps of a [rows, ops] probability array recorded each epoch:
// per row, the weight of the op strongest at the last epoch across the
// epochs; and the last epoch's whole matrix.
void matrix_history(PageBuilder& page, const RunView& run, const TableColumns& t, const std::string& column,
                    const std::vector<std::string>& row_names, const std::string& what) {
  const auto& arrays = t.number_arrays.at(column);
  const std::vector<std::size_t>& shape = t.array_shapes.at(column);
  if (arrays.empty() || shape.size() != 2 || shape[0] == 0 || shape[1] == 0) return;
  const std::size_t rows = shape[0], ops = shape[1];
  const std::vector<std::string> ops_named = op_labels(run, ops);
  const std::vector<double> epochs = numbers_of(t, "epoch");
  const std::vector<double>& last = arrays.back();
  HeatMapFigure history;
  history.title = what + ": weight of each row's strongest op at the end, over epochs";
  history.x_label = "epoch";
  for (std::size_t e = 0; e < arrays.size(); ++e) {
    history.column_labels.push_back(epochs.empty() ? std::to_string(e + 1) : fixed_text(epochs[e] + 1, 0));
  }
  HeatMapFigure final_matrix{what + ": weights at the last epoch", "op", "", {}, ops_named, {}};
  for (std::size_t r = 0; r < rows; ++r) {
    std::size_t strongest = 0;
    for (std::size_t o = 0; o < ops; ++o) {
      const bool none = ops_named[o] == "none" || ops_named[o] == "zero";
      const bool strongest_none = ops_named[strongest] == "none" || ops_named[strongest] == "zero";
      if ((strongest_none && !none) || (!none && last[r * ops + o] > last[r * ops + strongest])) strongest = o;
    }
    const std::string name = r < row_names.size() ? row_names[r] : "row " + std::to_string(r);
    history.row_labels.push_back(name + ": " + ops_named[strongest]);
    std::vector<double> over_epochs;
    for (const auto& a : arrays) over_epochs.push_back(a[r * ops + strongest]);
    history.values.push_back(over_epochs);
    final_matrix.row_labels.push_back(name);
    final_matrix.values.emplace_back(last.begin() + static_cast<std::ptrdiff_t>(r * ops),
                                     last.begin() + static_cast<std::ptrdiff_t>((r + 1) * ops));
  }
  page.figure(history);
  page.figure(final_matrix);
}

void alpha(PageBuilder& page, const RunView& run, int index, const std::string& title_prefix) {
  const TableColumns* t = run.table("alpha");
  if (t == nullptr) return;
  page.section("alpha", title_prefix + "DARTS: architecture weights (softmax of alpha) per edge", index);
  for (const char* cell : {"normal", "reduce"}) {
    if (!t->number_arrays.count(cell)) continue;
    const auto& shape = t->array_shapes.at(cell);
    if (shape.size() == 2) matrix_history(page, run, *t, cell, edge_labels(shape[0]), std::string(cell) + " cell");
  }
  page.figure(LineFigure{"Share of skip_connect in the derived genotype",
                         "epoch",
                         "share",
                         {{"skip_connect share", per_epoch(*t, "skip_connect_share", Aggregate::kLast).x,
                           per_epoch(*t, "skip_connect_share", Aggregate::kLast).y, SeriesStyle::kLinesPoints}}});
  page.html("<h3>Derived genotype per epoch</h3>\n" + table_html(*t));
  page.shown(index, "alpha");
}

void theta(PageBuilder& page, const RunView& run, int index, const std::string& title_prefix) {
  const TableColumns* t = run.table("theta");
  if (t == nullptr || !t->number_arrays.count("probabilities")) return;
  page.section("theta", title_prefix + "FBNet: op probabilities (softmax of theta) per layer", index);
  const auto& shape = t->array_shapes.at("probabilities");
  std::vector<std::string> layers;
  for (std::size_t l = 0; shape.size() == 2 && l < shape[0]; ++l) layers.push_back("layer " + std::to_string(l));
  matrix_history(page, run, *t, "probabilities", layers, "theta");
  const EpochSeries temperature = per_epoch(*t, "temperature", Aggregate::kLast);
  page.figure(LineFigure{"Gumbel-softmax temperature",
                         "epoch",
                         "temperature",
                         {{"temperature", temperature.x, temperature.y, SeriesStyle::kLinesPoints}}});
  page.html(table_html(*t));
  page.shown(index, "theta");
}

void stages(PageBuilder& page, const RunView& run, int index, const std::string& title_prefix) {
  const TableColumns* t = run.table("stages");
  if (t == nullptr) return;
  page.section("stages", title_prefix + "Stages: the surrogate's prediction against the measured accuracy", index);
  LineFigure predicted{"Predicted against measured, per stage", "measured accuracy", "predicted accuracy", {}};
  predicted.diagonal = true;
  const std::vector<double> stage = numbers_of(*t, "stage"), measured = numbers_of(*t, "measured"),
                            mean = numbers_of(*t, "predicted_mean");
  std::map<double, Series> by_stage;
  const bool complete = !stage.empty() && !measured.empty() && !mean.empty();
  for (std::size_t i = 0; complete && i < t->rows; ++i) {
    Series& s = by_stage[stage[i]];
    s.title = "stage " + fixed_text(stage[i], 0);
    s.style = SeriesStyle::kPoints;
    s.x.push_back(measured[i]);
    s.y.push_back(mean[i]);
  }
  for (auto& [_, s] : by_stage) predicted.series.push_back(std::move(s));
  page.figure(predicted);
  if (const TableColumns* summary = run.table("stage_summary")) {
    LineFigure ranks{"Rank correlation of prediction and measurement", "stage", "correlation", {}};
    for (const char* measure : {"spearman", "kendall"}) {
      const EpochSeries s = per_group(*summary, "stage", measure, Aggregate::kLast);
      ranks.series.push_back({measure, s.x, s.y, SeriesStyle::kLinesPoints});
    }
    page.figure(ranks);
    page.html("<h3>Per stage</h3>\n" + table_html(*summary));
    page.shown(index, "stage_summary");
  }
  page.shown(index, "stages");
}

void generated(PageBuilder& page, const RunView& run, int index, const std::string& title_prefix) {
  const TableColumns* t = run.table("generated");
  const TableColumns* st = run.table("stages");
  if (t == nullptr || !t->texts.count("canonical") || !t->texts.count("parent_canonical")) return;
  page.section("generated", title_prefix + "Generated cells against their parents", index);
  std::map<std::pair<double, std::string>, double> measured;  // (stage, canonical) -> accuracy
  if (st != nullptr && st->texts.count("canonical")) {
    const std::vector<double> stage = numbers_of(*st, "stage"), value = numbers_of(*st, "measured");
    for (std::size_t i = 0; !stage.empty() && !value.empty() && i < st->rows; ++i)
      measured[{stage[i], st->texts.at("canonical")[i]}] = value[i];
  }
  std::vector<double> stage = numbers_of(*t, "stage");
  const std::vector<double> improvement = numbers_of(*t, "predicted_improvement");
  stage.resize(t->rows, NAN);
  Series pairs{"generated cell", {}, {}, SeriesStyle::kPoints};
  std::size_t better = 0, same_stage = 0;
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < t->rows; ++i) {
    order.push_back(i);
    // Both as measured in the stage the generated cell was measured in,
    // where the parent was kept into it; otherwise the parent's own stage
    // (its weights then had less training than the child's).
    auto parent = measured.find({stage[i] + 1, t->texts.at("parent_canonical")[i]});
    const bool kept = parent != measured.end();
    if (!kept) parent = measured.find({stage[i], t->texts.at("parent_canonical")[i]});
    const auto child = measured.find({stage[i] + 1, t->texts.at("canonical")[i]});
    if (parent == measured.end() || child == measured.end()) continue;
    pairs.x.push_back(parent->second);
    pairs.y.push_back(child->second);
    better += child->second > parent->second;
    same_stage += kept;
  }
  LineFigure figure{"Measured accuracy: generated cell against its parent", "parent", "generated cell", {pairs}};
  figure.diagonal = true;
  page.figure(figure);
  page.html("<p>" + std::to_string(t->rows) + " cells generated; " + std::to_string(pairs.x.size()) +
            " measured beside their parent, " + std::to_string(better) + " of them better. " +
            std::to_string(same_stage) +
            " of the parents were kept into the next stage and are compared as measured there; the others as "
            "measured in their own stage, with shared weights trained less than their children's.</p>\n");
  if (!improvement.empty()) {
    // Random additions have no predicted improvement (NaN): after every number.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return !std::isnan(improvement[a]) && (std::isnan(improvement[b]) || improvement[a] > improvement[b]);
    });
  }
  std::vector<std::vector<std::string>> rows;
  for (std::size_t k = 0; k < order.size() && k < 10; ++k) {
    const std::size_t i = order[k];
    const auto child = measured.find({stage[i] + 1, t->texts.at("canonical")[i]});
    rows.push_back({fixed_text(stage[i], 0), t->texts.at("parent_canonical")[i], t->texts.at("canonical")[i],
                    cell_text(*t, "step_size", i), cell_text(*t, "predicted_improvement", i),
                    child == measured.end() ? "-" : fixed_text(child->second, 4)});
  }
  page.html("<h3>The 10 with the largest predicted improvement</h3>\n" +
            html_table({"stage", "parent", "generated", "step size", "predicted improvement", "measured"}, rows));
  page.shown(index, "generated");
}

// A figure of every member's value by group, with each group's mean and best.
LineFigure by_group(const TableColumns& t, const std::string& key, const std::string& value, const std::string& title) {
  LineFigure figure{title, key, value, {}};
  figure.series.push_back({"members", numbers_of(t, key), numbers_of(t, value), SeriesStyle::kPoints});
  const EpochSeries mean = per_group(t, key, value, Aggregate::kMean), best = per_group(t, key, value, Aggregate::kMax);
  figure.series.push_back({"mean", mean.x, mean.y, SeriesStyle::kLines});
  figure.series.push_back({"best", best.x, best.y, SeriesStyle::kLines});
  return figure;
}

void populations(PageBuilder& page, const RunView& run, int index, const std::string& title_prefix) {
  if (const TableColumns* t = run.table("generations")) {
    page.section("generations", title_prefix + "Evolution: the population over generations", index);
    page.figure(by_group(*t, "generation", "fitness", "Fitness of each evaluated child by generation"));
    page.shown(index, "generations");
  }
  if (const TableColumns* t = run.table("population")) {
    page.section("population", title_prefix + "Genetic CNN: the population over generations", index);
    LineFigure figure{"Fitness of the population", "generation", "fitness", {}};
    for (const char* what : {"mean_fitness", "best_fitness"}) {
      figure.series.push_back({what, numbers_of(*t, "generation"), numbers_of(*t, what), SeriesStyle::kLinesPoints});
    }
    page.figure(figure);
    page.shown(index, "population");
  }
}

void pareto(PageBuilder& page, const RunView& run, int index, const std::string& title_prefix) {
  const TableColumns* t = run.table("pareto");
  if (t == nullptr) return;
  page.section("pareto", title_prefix + "Pareto front over the search", index);
  const EpochSeries hv = per_epoch(*t, "hypervolume", Aggregate::kLast),
                    size = per_epoch(*t, "front_size", Aggregate::kLast);
  page.figure(LineFigure{
      "Hypervolume of the front", "epoch", "hypervolume", {{"hypervolume", hv.x, hv.y, SeriesStyle::kLinesPoints}}});
  page.figure(LineFigure{
      "Size of the front", "epoch", "architectures", {{"front size", size.x, size.y, SeriesStyle::kLinesPoints}}});
  page.html(table_html(*t));
  page.shown(index, "pareto");
}

void ranking(PageBuilder& page, const RunView& run, int index, const std::string& title_prefix) {
  const TableColumns* t = run.table("ranking");
  if (t == nullptr) return;
  page.section("ranking", title_prefix + "Ranking: supernet score against training alone", index);
  LineFigure figure{"Supernet accuracy against standalone accuracy",
                    "standalone accuracy",
                    "supernet accuracy",
                    {{"architecture", numbers_of(*t, "standalone_accuracy"), numbers_of(*t, "supernet_accuracy"),
                      SeriesStyle::kPoints}}};
  page.figure(figure);
  if (const TableColumns* c = run.table("ranking_correlation")) {
    page.html(table_html(*c));
    page.shown(index, "ranking_correlation");
  }
  page.shown(index, "ranking");
}

void dynas_loops(PageBuilder& page, const RunView& run, int index, const std::string& title_prefix) {
  const TableColumns* t = run.table("dynas_loops");
  if (t == nullptr) return;
  page.section("dynas-loops", title_prefix + "DyNAS-T: predictor loops", index);
  page.html(table_html(*t));
  page.shown(index, "dynas_loops");
}

}  // namespace

void add_strategy_records(PageBuilder& page, const std::vector<RunView>& runs) {
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const std::string prefix = runs.size() > 1 ? runs[r].name + ": " : "";
    const int index = static_cast<int>(r);
    for (auto* add : {alpha, theta, stages, generated, populations, pareto, ranking, dynas_loops}) {
      add(page, runs[r], index, prefix);
    }
  }
}

}  // namespace experiments
