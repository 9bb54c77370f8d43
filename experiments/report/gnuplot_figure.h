#pragma once
// Figures of a report, drawn by gnuplot (Debian's gnuplot-nox) as SVG: line
// and scatter charts of numbered series, and heat maps of a labelled matrix.
// Every figure of a report is drawn by one gnuplot process.

#include <string>
#include <variant>
#include <vector>

namespace experiments {

enum class SeriesStyle { kLines, kPoints, kLinesPoints, kSteps };

// One curve or point cloud; x and y of equal length. Points where x or y is
// not finite (NaN: a value the run did not record) are left out.
struct Series {
  std::string title;
  std::vector<double> x, y;
  SeriesStyle style = SeriesStyle::kLines;
};

struct LineFigure {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  bool log_x = false;     // a logarithmic x axis (parameters, MACs)
  bool diagonal = false;  // draw y = x (predicted against measured)
};

// values[r][c]: the cell of row r (bottom to top as listed) and column c.
struct HeatMapFigure {
  std::string title, x_label, y_label;
  std::vector<std::string> row_labels, column_labels;
  std::vector<std::vector<double>> values;
};

using Figure = std::variant<LineFigure, HeatMapFigure>;

// Whether a figure has anything to draw (a line figure: one finite point;
// a heat map: one row and one column).
bool has_data(const Figure& figure);

// The gnuplot script that draws `figures` into `outputs` (one SVG file
// each, `width` x `height` pixels; a heat map is as tall as its rows
// need). Figures without data draw an empty frame saying so.
std::string gnuplot_script(const std::vector<Figure>& figures, const std::vector<std::string>& outputs, int width,
                           int height);

// The SVG text of each figure, in order, from one gnuplot run. Throws
// ToolError (external_command.h) when gnuplot is not installed or fails.
std::vector<std::string> render_figures(const std::vector<Figure>& figures, int width = 640, int height = 400);

}  // namespace experiments
