#include "experiments/report/html_text.h"

#include "spaces/infra/number_text.h"

#include <cmath>
#include <cstdio>

namespace experiments {

std::string escape_html(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string base64(const std::string& bytes) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < bytes.size()) {
    const bool two = i + 1 < bytes.size();
    const unsigned v =
        (static_cast<unsigned char>(bytes[i]) << 16) | (two ? static_cast<unsigned char>(bytes[i + 1]) << 8 : 0);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += two ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string svg_image(const std::string& svg, const std::string& alt) {
  return "<img src=\"data:image/svg+xml;base64," + base64(svg) + "\" alt=\"" + escape_html(alt) + "\">";
}

std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::string html = "<table>\n<tr>";
  for (const std::string& h : header) html += "<th>" + escape_html(h) + "</th>";
  html += "</tr>\n";
  for (const auto& row : rows) {
    html += "<tr>";
    for (std::size_t c = 0; c < std::max(header.size(), row.size()); ++c) {
      html += "<td>" + (c < row.size() ? escape_html(row[c]) : std::string()) + "</td>";
    }
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

std::string fixed_text(double value, int digits) { return std::isfinite(value) ? spaces::fixed(value, digits) : "-"; }

std::string count_text(double value) {
  if (!std::isfinite(value)) return "-";
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e9) return fixed_text(value / 1e9, 2) + " G";
  if (magnitude >= 1e6) return fixed_text(value / 1e6, 3) + " M";
  if (magnitude >= 1e4) return fixed_text(value / 1e3, 1) + " k";
  return fixed_text(value, 0);
}

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds)) return "-";
  char text[64];
  const auto whole = static_cast<long long>(std::llround(seconds));
  if (seconds < 59.95) {
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  } else if (whole < 3600) {
    std::snprintf(text, sizeof text, "%lld min %02lld s", whole / 60, whole % 60);
  } else {
    std::snprintf(text, sizeof text, "%lld h %02lld min", whole / 3600, (whole % 3600) / 60);
  }
  return text;
}

}  // namespace experiments
