// Overview, best architectures, configs and the remaining tables (report_sections.h).
#include <cmath>
#include <sstream>

#include "experiments/harness/external_command.h"
#include "experiments/report/html_text.h"
#include "experiments/report/report_sections.h"
#include "spaces/cell_graph.h"
#include "spaces/infra/errors.h"

namespace experiments {
namespace {

double metric(const ArchMetrics& arch, const std::string& name) {
  const auto it = arch.metrics.find(name);
  return it == arch.metrics.end() ? NAN : it->second;
}

// The cells of `canonical` drawn by Graphviz, or a note saying why not.
std::string cell_drawing(const RunView& run, const std::string& canonical) {
  std::string dot;
  try {
    if (!run.space) throw std::invalid_argument("this build has no space '" + run.archive.space + "'");
    std::ostringstream text;
    spaces::write_dot(text, run.space->decode(run.space->parse(canonical)));
    dot = text.str();
    // Left to right, as DARTS draws its cells: a page is wider than tall.
    dot.insert(dot.find('{') + 1, "\nrankdir=LR;\n");
  } catch (const std::exception& e) {
    return "<p class=\"note\">no drawing: " + escape_html(e.what()) + "</p>\n";
  }
  std::string svg;
  try {
    svg = render_dot(dot, "svg");
  } catch (const ToolMissingError&) {
    throw;  // every drawing would fail: no page, and the message says what to install
  } catch (const ToolError& e) {
    return "<p class=\"note\">no drawing: " + escape_html(e.what()) + "</p>\n";
  }
  return "<div class=\"cells\"><img class=\"cell\" src=\"data:image/svg+xml;base64," + base64(svg) +
         "\" alt=\"cells of " + escape_html(canonical) + "\"></div>\n";
}

}  // namespace

void add_overview(PageBuilder& page, const std::vector<RunView>& runs) {
  page.section("overview", runs.size() > 1 ? "Runs" : "Run");
  std::vector<std::vector<std::string>> rows;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const RunView& run = runs[r];
    page.shown(static_cast<int>(r), "progress");
    rows.push_back({run.name, run.archive.kind, run.strategy, run.archive.space,
                    duration_text(run.wall_seconds) + (run.wall_source == "log.txt" ? " (log.txt)" : ""),
                    std::to_string(run.epochs_done), run.archive.kind == "search" ? std::to_string(run.evaluated) : "-",
                    fixed_text(run.accuracy, 4), run.finished ? "yes" : "no (running or stopped)"});
  }
  page.html(html_table(
      {"run", "kind", "strategy", "space", "wall time", "epochs", "candidates evaluated", "accuracy", "finished"},
      rows));
  for (const RunView& run : runs) {
    page.html("<p class=\"note\">" + escape_html(run.name) + ": " + escape_html(run.dir.string()) +
              (run.accuracy_meaning.empty() ? "" : "; accuracy: " + escape_html(run.accuracy_meaning)) +
              (run.wall_source == "log.txt"
                   ? "; wall time: first to last line of log.txt (pauses between resumes included)"
                   : "") +
              "</p>\n");
  }
}

void add_best_architectures(PageBuilder& page, const std::vector<RunView>& runs) {
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const RunView& run = runs[r];
    if (run.best.empty()) continue;
    const std::string prefix = runs.size() > 1 ? run.name + ": " : "";
    const bool training = run.archive.kind == "train";
    page.section("best-architectures",
                 prefix + (training       ? "The trained architecture"
                           : run.finished ? "Best architectures (final re-evaluation)"
                                          : "Best architectures so far (as evaluated during the search)"),
                 static_cast<int>(r));
    std::vector<std::string> header = {"#", "architecture"};
    const std::vector<std::string> preferred =
        training ? std::vector<std::string>{"test_accuracy", "train_accuracy", "test_loss", "train_loss", "epoch"}
                 : std::vector<std::string>{"accuracy", "reward", "loss", "params", "macs", "latency_ms", "seconds"};
    std::vector<std::string> shown_metrics;
    for (const std::string& name : preferred) {
      for (const ArchMetrics& arch : run.best) {
        if (arch.metrics.count(name)) {
          shown_metrics.push_back(name);
          break;
        }
      }
    }
    header.insert(header.end(), shown_metrics.begin(), shown_metrics.end());
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < run.best.size(); ++i) {
      std::vector<std::string> row = {std::to_string(i + 1), run.best[i].canonical};
      for (const std::string& name : shown_metrics) {
        const double value = metric(run.best[i], name);
        row.push_back(name == "params" || name == "macs" ? count_text(value)
                      : name == "epoch"                  ? fixed_text(value, 0)
                                                         : fixed_text(value, 4));
      }
      rows.push_back(std::move(row));
    }
    page.html(html_table(header, rows));
    for (std::size_t i = 0; i < run.best.size() && i < 3; ++i) {
      page.html("<h3>#" + std::to_string(i + 1) + ": <code>" + escape_html(run.best[i].canonical) + "</code></h3>\n" +
                cell_drawing(run, run.best[i].canonical));
    }
  }
}

void add_config_and_rest(PageBuilder& page, const std::vector<RunView>& runs) {
  page.section("config", runs.size() > 1 ? "Configurations" : "Configuration");
  for (const RunView& run : runs) {
    page.html("<details" + std::string(runs.size() == 1 ? " open" : "") + "><summary>" + escape_html(run.name) +
              ": the resolved config</summary>\n<pre>" + escape_html(run.archive.config) + "</pre></details>\n");
  }
  std::vector<std::vector<std::string>> rest;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    for (const auto& [name, table] : runs[r].archive.tables) {
      if (page.was_shown(static_cast<int>(r), name)) continue;
      std::size_t columns = table.integers.size() + table.numbers.size() + table.texts.size() +
                            table.integer_rows.size() + table.number_arrays.size();
      rest.push_back({runs[r].name, "/" + name, std::to_string(table.rows), std::to_string(columns)});
    }
  }
  if (rest.empty()) return;
  page.section("other-tables", "Other tables in the archive");
  page.html("<p class=\"note\">Recorded but not drawn above; any HDF5 reader opens them (h5dump, h5py).</p>\n" +
            html_table({"run", "table", "rows", "columns"}, rest));
}

}  // namespace experiments
