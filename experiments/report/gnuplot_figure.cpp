#include "experiments/report/gnuplot_figure.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "experiments/harness/external_command.h"

namespace experiments {
namespace {

// A gnuplot string literal: single-quoted, where gnuplot substitutes
// nothing (no backquoted commands, no escapes, no macros), a quote doubled,
// line breaks as spaces. Every text of a figure (titles, labels, run and
// architecture names, file paths) goes through it.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out + "'";
}

// A number as gnuplot reads it back exactly enough for a plot.
std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", value);
  return text;
}

const char* style_of(SeriesStyle style) {
  switch (style) {
    case SeriesStyle::kLines:
      return "lines lw 2";
    case SeriesStyle::kPoints:
      return "points pt 7 ps 0.6";
    case SeriesStyle::kLinesPoints:
      return "linespoints lw 2 pt 7 ps 0.6";
    case SeriesStyle::kSteps:
      return "steps lw 2";
  }
  return "lines";
}

bool finite_point(const Series& s, std::size_t i) { return std::isfinite(s.x[i]) && std::isfinite(s.y[i]); }

bool has_points(const Series& s) {
  for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
    if (finite_point(s, i)) return true;
  }
  return false;
}

void labels(std::ostream& script, const std::string& title, const std::string& x_label, const std::string& y_label) {
  script << "set title " << quoted(title) << "\nset xlabel " << quoted(x_label) << "\nset ylabel " << quoted(y_label)
         << '\n';
}

void empty_frame(std::ostream& script) {
  script << "unset key\nset xrange [0:1]\nset yrange [0:1]\n"
         << "set label 1 'no data recorded' at 0.5,0.5 center\nplot NaN notitle\nunset label 1\n";
}

void line_figure(std::ostream& script, const LineFigure& figure, std::size_t index) {
  labels(script, figure.title, figure.x_label, figure.y_label);
  script << "set grid\nset key below\n";
  if (figure.log_x) script << "set logscale x\n";
  std::vector<std::string> plots;
  for (std::size_t k = 0; k < figure.series.size(); ++k) {
    const Series& s = figure.series[k];
    if (!has_points(s)) continue;
    const std::string block = "$f" + std::to_string(index) + "s" + std::to_string(k);
    script << block << " << EOD\n";
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (finite_point(s, i)) script << number(s.x[i]) << ' ' << number(s.y[i]) << '\n';
    }
    script << "EOD\n";
    plots.push_back(block + " using 1:2 with " + style_of(s.style) + " title " + quoted(s.title));
  }
  if (plots.empty()) return empty_frame(script);
  if (figure.diagonal) plots.push_back("x with lines lc rgb '#999999' dt 2 title 'y = x'");
  script << "plot ";
  for (std::size_t k = 0; k < plots.size(); ++k) script << (k ? ", \\\n     " : "") << plots[k];
  script << '\n';
}

void heat_map(std::ostream& script, const HeatMapFigure& figure, std::size_t index) {
  labels(script, figure.title, figure.x_label, figure.y_label);
  if (!has_data(figure)) return empty_frame(script);
  const std::size_t rows = figure.values.size(), columns = figure.column_labels.size();
  script << "unset key\nunset grid\nset palette defined (0 '#ffffff', 0.5 '#6baed6', 1 '#08306b')\n"
         << "set xrange [-0.5:" << number(double(columns) - 0.5) << "]\n"
         << "set yrange [-0.5:" << number(double(rows) - 0.5) << "]\n"
         << "set tics scale 0 font ',9'\nset xtics rotate by -45\n";
  // At most about 20 labelled columns, so the labels stay readable.
  const std::size_t every = std::max<std::size_t>(1, (columns + 19) / 20);
  script << "set xtics (";
  for (std::size_t c = 0; c < columns; c += every) {
    script << (c ? ", " : "") << quoted(figure.column_labels[c]) << ' ' << c;
  }
  script << ")\nset ytics (";
  for (std::size_t r = 0; r < rows; ++r) {
    script << (r ? ", " : "") << quoted(r < figure.row_labels.size() ? figure.row_labels[r] : "") << ' ' << r;
  }
  script << ")\n";
  const std::string block = "$f" + std::to_string(index) + "m";
  script << block << " << EOD\n";
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < columns; ++c) {
      const double v = c < figure.values[r].size() ? figure.values[r][c] : NAN;
      script << c << ' ' << r << ' ' << (std::isfinite(v) ? number(v) : "NaN") << '\n';
    }
    script << '\n';
  }
  // "pixels": each cell a drawn square, not a bitmap a browser would blur.
  script << "EOD\nplot " << block << " using 1:2:3 with image pixels\n";
}

}  // namespace

bool has_data(const Figure& figure) {
  if (const auto* line = std::get_if<LineFigure>(&figure)) {
    for (const Series& s : line->series) {
      if (has_points(s)) return true;
    }
    return false;
  }
  const auto& map = std::get<HeatMapFigure>(figure);
  return !map.values.empty() && !map.column_labels.empty();
}

std::string gnuplot_script(const std::vector<Figure>& figures, const std::vector<std::string>& outputs, int width,
                           int height) {
  std::ostringstream script;
  for (std::size_t i = 0; i < figures.size(); ++i) {
    int figure_height = height;
    if (const auto* map = std::get_if<HeatMapFigure>(&figures[i])) {
      figure_height = std::max(height, 120 + 16 * static_cast<int>(map->values.size()));
    }
    script << "reset\nset terminal svg size " << width << ',' << figure_height
           << " fixed font 'sans,11' background '#ffffff'\n"
           << "set termoption noenhanced\n"
           << "set output " << quoted(outputs.at(i)) << '\n';
    if (const auto* line = std::get_if<LineFigure>(&figures[i])) {
      line_figure(script, *line, i);
    } else {
      heat_map(script, std::get<HeatMapFigure>(figures[i]), i);
    }
    script << "unset output\n";
  }
  return script.str();
}

std::vector<std::string> render_figures(const std::vector<Figure>& figures, int width, int height) {
  if (figures.empty()) return {};
  ScratchFolder folder;
  std::vector<std::string> outputs;
  for (std::size_t i = 0; i < figures.size(); ++i)
    outputs.push_back((folder / ("figure" + std::to_string(i) + ".svg")).string());
  run_tool({"gnuplot"}, gnuplot_script(figures, outputs, width, height),
           "Debian's gnuplot-nox: third_party/install-deps.sh installs it");
  std::vector<std::string> svgs;
  for (const std::string& output : outputs) {
    std::string svg = read_whole_file(output);
    if (svg.empty()) throw ToolError("gnuplot wrote no figure to " + output);
    svgs.push_back(std::move(svg));
  }
  return svgs;
}

}  // namespace experiments
