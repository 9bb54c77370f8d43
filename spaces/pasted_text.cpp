#include "spaces/pasted_text.h"

#include <cctype>

#include "spaces/infra/errors.h"
#include "spaces/infra/trim.h"
#include "spaces/presets.h"

namespace spaces {
namespace {

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; }

// The text before a '#' that is outside quotes (a Python or shell comment).
std::string_view without_comment(std::string_view text) {
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"' || c == '`') {
      quote = c;
    } else if (c == '#') {
      return text.substr(0, i);
    }
  }
  return text;
}

std::string_view without_quotes(std::string_view text) {
  for (const std::string_view quote : {"'''", "\"\"\"", "'", "\"", "`"}) {
    // No architecture text starts or ends with a quote of its own, so a
    // matching pair at both ends encloses the whole.
    if (text.size() >= 2 * quote.size() && text.starts_with(quote) && text.ends_with(quote)) {
      return text.substr(quote.size(), text.size() - 2 * quote.size());
    }
  }
  return text;
}

// `name =`, `name:`, `--flag ` or `--flag=` before the architecture.
std::string_view without_assignment(std::string_view text) {
  std::size_t i = 0;
  const bool flag = text.starts_with("-");
  while (i < text.size() && text[i] == '-') ++i;
  const std::size_t name_start = i;
  if (i >= text.size() || !(std::isalpha(static_cast<unsigned char>(text[i])) || text[i] == '_')) return text;
  while (i < text.size() && is_name_char(text[i])) ++i;
  if (i == name_start) return text;
  std::size_t j = i;
  while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
  if (j < text.size() && (text[j] == '=' || text[j] == ':')) return text.substr(j + 1);
  if (flag && j > i && j < text.size()) return text.substr(j);
  return text;
}

std::string_view without_module_path(std::string_view text) {
  const auto at = text.find("Genotype(");
  if (at == std::string_view::npos || at == 0) return text;
  for (std::size_t i = 0; i < at; ++i) {
    if (!is_name_char(text[i])) return text;
  }
  return text[at - 1] == '.' ? text.substr(at) : text;
}

}  // namespace

std::string strip_pasted_context(std::string_view text) {
  std::string_view current = trim(text);
  while (true) {
    std::string_view next = trim(without_comment(current));
    while (!next.empty() && (next.back() == ',' || next.back() == ';')) next = trim(next.substr(0, next.size() - 1));
    next = trim(without_quotes(next));
    next = trim(without_assignment(next));
    next = trim(without_module_path(next));
    if (next == current || next.empty()) return std::string(next.empty() ? current : next);
    current = next;
  }
}

std::string architecture_text(std::string_view pasted, const std::string& space_name) {
  std::string text = strip_pasted_context(pasted);
  if (const ArchPreset* preset = find_arch_preset(text)) {
    if (preset_space_name(*preset) != space_name) {
      throw ArchParseError(space_name + ": '" + text + "' is the preset " + preset->name + ", an architecture of " +
                           preset->space + ", not of " + space_name);
    }
    return preset->text;
  }
  return text;
}

const std::string& pasted_forms_hint() {
  static const std::string hint =
      "integers separated by spaces or commas, as printed by nas_arch (brackets or a tuple's parentheses, quotes, a "
      "trailing comment and "
      "an assignment or flag before them are allowed: arc = \"0 2 0 1 ...\", --fixed_arc '[0, 2, 0, 1, ...]')";
  return hint;
}

}  // namespace spaces
