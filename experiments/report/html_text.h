#pragma once
// The pieces of a self-contained HTML page: escaped text, tables, and
// images carried inside the page as data: URIs (nothing is fetched when
// the page is opened).

#include <string>
#include <vector>

namespace experiments {

// `text` with &, <, >, " and ' as character references.
std::string escape_html(const std::string& text);

// RFC 4648 base64 of `bytes`, padded.
std::string base64(const std::string& bytes);

// <img> of an SVG document, carried as a base64 data: URI; `alt` is escaped.
std::string svg_image(const std::string& svg, const std::string& alt);

// A <table> whose header and cells are escaped text; rows shorter than the
// header are padded with empty cells.
std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

// `value` with `digits` after the point ("-" for NaN), and a compact count
// ("1.23 M", "456 k") for parameters and MACs.
std::string fixed_text(double value, int digits);
std::string count_text(double value);
// Seconds as "12 s", "3 min 05 s" or "2 h 04 min".
std::string duration_text(double seconds);

}  // namespace experiments
