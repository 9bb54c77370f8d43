#include "experiments/report/page_builder.h"

#include "experiments/report/html_text.h"

namespace experiments {
namespace {

const char* kStyle = R"(<style>
body { font-family: sans-serif; margin: 1.5em auto; max-width: 1400px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; max-width: 60em; overflow-wrap: anywhere; }
th { background: #f3f3f3; }
code { font-family: monospace; overflow-wrap: anywhere; }
.figures { display: flex; flex-wrap: wrap; gap: 0.8em; }
.figures img { border: 1px solid #eee; max-width: 100%; }
.cells { overflow-x: auto; }
img.cell { border: 1px solid #eee; margin: 0.3em 0; }
pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; font-size: 0.85em; }
.note { color: #666; font-size: 0.9em; }
</style>
)";

std::string figure_title(const Figure& figure) {
  if (const auto* line = std::get_if<LineFigure>(&figure)) return line->title;
  return std::get<HeatMapFigure>(figure).title;
}

}  // namespace

void PageBuilder::section(const std::string& kind, const std::string& title, int run) {
  sections_.push_back({kind, title, run, {}});
}

void PageBuilder::html(const std::string& fragment) {
  if (sections_.empty()) section("page", "");
  sections_.back().blocks.emplace_back(fragment);
}

bool PageBuilder::figure(Figure figure) {
  if (!has_data(figure)) return false;
  if (sections_.empty()) section("page", "");
  sections_.back().blocks.emplace_back(FigureRef{figures_.size()});
  figures_.push_back(std::move(figure));
  return true;
}

void PageBuilder::shown(int run, const std::string& table) { shown_.emplace(run, table); }

bool PageBuilder::was_shown(int run, const std::string& table) const { return shown_.count({run, table}) > 0; }

std::string PageBuilder::render(const std::string& title, int refresh_seconds) const {
  const std::vector<std::string> svgs = render_figures(figures_);
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  if (refresh_seconds > 0)
    page += "<meta http-equiv=\"refresh\" content=\"" + std::to_string(refresh_seconds) + "\">\n";
  page +=
      "<title>" + escape_html(title) + "</title>\n" + kStyle + "</head>\n<body>\n<h1>" + escape_html(title) + "</h1>\n";
  for (const Section& s : sections_) {
    page += "<section class=\"" + escape_html(s.kind) + "\"" +
            (s.run >= 0 ? " data-run=\"" + std::to_string(s.run) + "\"" : std::string()) + ">\n";
    if (!s.title.empty()) page += "<h2>" + escape_html(s.title) + "</h2>\n";
    bool in_figures = false;
    for (const auto& block : s.blocks) {
      const auto* ref = std::get_if<FigureRef>(&block);
      if (ref != nullptr && !in_figures) page += "<div class=\"figures\">\n";
      if (ref == nullptr && in_figures) page += "</div>\n";
      in_figures = ref != nullptr;
      page += ref != nullptr ? svg_image(svgs[ref->index], figure_title(figures_[ref->index])) + "\n"
                             : std::get<std::string>(block);
    }
    if (in_figures) page += "</div>\n";
    page += "</section>\n";
  }
  return page + "</body>\n</html>\n";
}

}  // namespace experiments
