#include "spaces/genotype_format.h"

#include <cctype>
#include <charconv>
#include <map>

#include "spaces/infra/errors.h"
#include "spaces/infra/trim.h"

namespace spaces {
namespace {

std::string print_cell(const std::string& name, const GenotypeCell& cell) {
  std::string text = name + "=[";
  for (std::size_t i = 0; i < cell.edges.size(); ++i) {
    text +=
        (i ? ", " : "") + std::string("('") + cell.edges[i].first + "', " + std::to_string(cell.edges[i].second) + ")";
  }
  text += "], " + name + "_concat=[";
  for (std::size_t i = 0; i < cell.concat.size(); ++i) text += (i ? ", " : "") + std::to_string(cell.concat[i]);
  return text + "]";
}

// A small recursive-descent reader over the genotype text.
class Reader {
 public:
  Reader(std::string_view text, const std::string& space) : text_(text), space_(space) {}

  Genotype read() {
    expect_word("Genotype");
    expect('(');
    std::map<std::string, bool> seen;
    Genotype genotype;
    while (true) {
      const std::string key = identifier();
      expect('=');
      if (key == "normal") {
        genotype.normal.edges = edge_list(key);
      } else if (key == "reduce") {
        genotype.reduce.edges = edge_list(key);
      } else if (key == "normal_concat") {
        genotype.normal.concat = int_list(key);
      } else if (key == "reduce_concat") {
        genotype.reduce.concat = int_list(key);
      } else {
        fail("unknown field '" + key + "' (fields: normal, normal_concat, reduce, reduce_concat)");
      }
      if (seen[key]) fail("field '" + key + "' given twice");
      seen[key] = true;
      if (peek() == ',') {
        ++pos_;
        if (peek() == ')') break;
        continue;
      }
      break;
    }
    expect(')');
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the closing ')'");
    for (const char* key : {"normal", "normal_concat", "reduce", "reduce_concat"}) {
      if (!seen[key]) fail("missing field '" + std::string(key) + "'");
    }
    return genotype;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw ArchParseError(space_ + ": genotype, at character " + std::to_string(pos_) + ": " + what);
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  char peek() {
    skip_space();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string identifier() {
    skip_space();
    const std::size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
    if (start == pos_) fail("expected a name");
    return std::string(text_.substr(start, pos_ - start));
  }
  void expect_word(const std::string& word) {
    if (identifier() != word) fail("expected '" + word + "('");
  }
  int integer() { return read_number<int>("an integer"); }
  // An int or double at the cursor; `what` names it in the error.
  template <class T>
  T read_number(const char* what) {
    skip_space();
    T value{};
    auto [end, error] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), value);
    if (error != std::errc()) fail(std::string("expected ") + what);
    pos_ = static_cast<std::size_t>(end - text_.data());
    return value;
  }
  std::string quoted() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a quoted op name");
    const std::size_t start = ++pos_;
    while (pos_ < text_.size() && text_[pos_] != quote) ++pos_;
    if (pos_ == text_.size()) fail("unterminated op name");
    return std::string(text_.substr(start, pos_++ - start));
  }
  // A list of edges: [('op', input), ...] as DARTS writes it; also with
  // the edges grouped per node ([(('op', 0), ('op', 1)), ...], as some
  // DARTS-family code bases write it), edges in [ ] instead of ( ), the
  // list in ( ), and a number after the input (a weight some searches
  // print), which is read and dropped.
  std::vector<std::pair<std::string, int>> edge_list(const std::string& key) {
    std::vector<std::pair<std::string, int>> edges;
    const char close = opening(key);
    while (peek() != close) {
      const char inner = opening(key);
      if (peek() == '(' || peek() == '[') {  // a node's group of edges
        while (peek() != inner) {
          const char edge_close = opening(key);
          edges.push_back(edge(edge_close));
          if (peek() == ',') ++pos_;
        }
        ++pos_;
      } else {
        edges.push_back(edge(inner));
      }
      if (peek() == ',') ++pos_;
    }
    ++pos_;
    return edges;
  }
  // '(' or '[': returns the matching closing bracket.
  char opening(const std::string& key) {
    const char c = peek();
    if (c != '(' && c != '[') fail("'" + key + "' expects a list of ('op', input) pairs");
    ++pos_;
    return c == '(' ? ')' : ']';
  }
  // 'op', input[, weight] and the closing bracket.
  std::pair<std::string, int> edge(char close) {
    std::string op = quoted();
    expect(',');
    const int input = integer();
    if (peek() == ',') {
      ++pos_;
      if (peek() != close) read_number<double>("a number (an edge's weight)");
    }
    expect(close);
    return {std::move(op), input};
  }
  std::vector<int> int_list(const std::string& key) {
    std::vector<int> values;
    if (peek() == 'r') {  // range(a, b)
      expect_word("range");
      expect('(');
      const int first = integer();
      expect(',');
      const int last = integer();
      expect(')');
      // A cell has a few dozen vertices; a longer range is a typo, not a cell.
      if (first < 0 || last < first || last - first > 1024)
        fail("'" + key + "' has an implausible range(" + std::to_string(first) + ", " + std::to_string(last) + ")");
      for (int v = first; v < last; ++v) values.push_back(v);
      return values;
    }
    if (peek() != '[') fail("'" + key + "' expects a list of integers or range(a, b)");
    ++pos_;
    while (peek() != ']') {
      values.push_back(integer());
      if (peek() == ',') ++pos_;
    }
    expect(']');
    return values;
  }

  std::string_view text_;
  const std::string& space_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string print_genotype(const Genotype& genotype) {
  return "Genotype(" + print_cell("normal", genotype.normal) + ", " + print_cell("reduce", genotype.reduce) + ")";
}

bool looks_like_genotype(std::string_view text) { return trim(text).starts_with("Genotype"); }

Genotype parse_genotype(std::string_view text, const std::string& space) { return Reader(text, space).read(); }

}  // namespace spaces
