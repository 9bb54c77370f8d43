#pragma once
// PageBuilder: a report page assembled section by section, its figures
// drawn together at the end (one gnuplot run for the page) and carried in
// the page as SVG images.

#include <set>
#include <string>
#include <variant>
#include <vector>

#include "experiments/report/gnuplot_figure.h"

namespace experiments {

class PageBuilder {
 public:
  // Starts a <section class="`kind`"> headed `title`; `run` is the index of
  // the run it belongs to (-1: all runs), written as data-run.
  void section(const std::string& kind, const std::string& title, int run = -1);
  // Adds HTML to the current section, as is.
  void html(const std::string& fragment);
  // Adds a figure to the current section (skipped, returning false, when
  // it has no data).
  bool figure(Figure figure);
  // Records that `table` of run `run` is shown somewhere on the page.
  void shown(int run, const std::string& table);
  bool was_shown(int run, const std::string& table) const;

  // The page: figures drawn (ToolError when gnuplot fails); with
  // `refresh_seconds` > 0 the page reloads itself that often.
  std::string render(const std::string& title, int refresh_seconds) const;

 private:
  struct FigureRef {
    std::size_t index;
  };
  struct Section {
    std::string kind, title;
    int run = -1;
    std::vector<std::variant<std::string, FigureRef>> blocks;
  };
  std::vector<Section> sections_;
  std::vector<Figure> figures_;
  std::set<std::pair<int, std::string>> shown_;
};

}  // namespace experiments
