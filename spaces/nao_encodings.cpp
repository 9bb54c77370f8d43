#include "spaces/nao_encodings.h"

#include <algorithm>
#include <cctype>
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <sstream>
#include <utility>

#include "spaces/infra/errors.h"

namespace spaces {
namespace {

constexpr int kCellInputs = 2;
constexpr int kTokensPerBranch = 3;

// vocab.py VOCAB1 without '<sos>' and the node names, in its order.
const std::vector<std::string>& vocab1_ops() {
  static const std::vector<std::string> ops = {
      "identity",     "sep_conv 3x3", "sep_conv 5x5",     "sep_conv 7x7",     "avg_pool 2x2",
      "avg_pool 3x3", "avg_pool 5x5", "max_pool 2x2",     "max_pool 3x3",     "max_pool 5x5",
      "max_pool 7x7", "min_pool 2x2", "conv 1x1",         "conv 3x3",         "conv 1x3+3x1",
      "conv 1x7+7x1", "dil_sep_conv 3x3", "dil_sep_conv 5x5", "dil_sep_conv 7x7"};
  return ops;
}

// vocab.py VOCAB2: the kind words from 7, the size words from 14.
const std::vector<std::string> kKinds = {"identity", "sep_conv", "conv", "dil_sep_conv",
                                         "avg_pool", "max_pool", "min_pool"};
const std::vector<std::string> kSizes = {"1x1", "2x2", "3x3", "5x5", "7x7", "1x3+3x1", "1x7+7x1"};
constexpr std::int64_t kFirstKind = 7;
constexpr std::int64_t kFirstSize = 14;

std::string library_name(const std::string& vocab1_op) {
  std::string name = vocab1_op;
  std::replace(name.begin(), name.end(), ' ', '_');
  std::replace(name.begin(), name.end(), '+', '_');
  return name;
}

// VOCAB2 indices of a VOCAB1 op ("identity" is identity 1x1, as convert_arch_to_seq.py writes it).
std::pair<std::int64_t, std::int64_t> epd_pair(const std::string& vocab1_op) {
  const auto space = vocab1_op.find(' ');
  const std::string kind = space == std::string::npos ? vocab1_op : vocab1_op.substr(0, space);
  const std::string size = space == std::string::npos ? "1x1" : vocab1_op.substr(space + 1);
  const auto k = std::find(kKinds.begin(), kKinds.end(), kind) - kKinds.begin();
  const auto s = std::find(kSizes.begin(), kSizes.end(), size) - kSizes.begin();
  return {kFirstKind + k, kFirstSize + s};
}

// The VOCAB1 spelling of a library op, or "" when EPD has no such op.
std::string vocab1_spelling(const std::string& library_op) {
  for (const std::string& op : vocab1_ops()) {
    if (library_name(op) == library_op) return op;
  }
  return "";
}

std::string cell_label(int cell) { return cell == 0 ? "normal cell" : "reduction cell"; }

void check_input(int input, int vertex, int cell, const std::string& space, const std::string& where) {
  if (input < 0 || input >= vertex) {
    throw ArchParseError(space + ": " + where + ": " + cell_label(cell) + " node " + std::to_string(vertex) +
                         " takes input " + std::to_string(input) + (input >= vertex ? ", not an earlier vertex" : "") +
                         "; legal inputs [0, " + std::to_string(vertex - 1) + "] (0 the cell two back, 1 the previous " +
                         "cell)");
  }
}

std::string op_list() {
  std::string list;
  for (const std::string& op : vocab1_ops()) list += (list.empty() ? "'" : ", '") + op + "'";
  return list;
}

void check_vocabulary(const std::string& library_op) {
  if (vocab1_spelling(library_op).empty()) {
    throw ArchError("op '" + library_op + "' has no spelling in NAO's EPD vocabulary (" + op_list() + ")");
  }
}

}  // namespace

const std::vector<std::string>& epd_vocabulary() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> result;
    for (const std::string& op : vocab1_ops()) result.push_back(library_name(op));
    return result;
  }();
  return names;
}

std::size_t epd_length(int nodes) { return static_cast<std::size_t>(2 * nodes * 2 * kTokensPerBranch); }

TwoCellBranches read_epd(const std::vector<std::int64_t>& tokens, int nodes, const std::string& space) {
  if (nodes > kEpdMaxNodes) {
    throw ArchParseError(space + ": NAO's epd form names inputs node_1 .. node_6, so it has cells of at most " +
                         std::to_string(kEpdMaxNodes) + " nodes; this space has " + std::to_string(nodes));
  }
  if (tokens.size() != epd_length(nodes)) {
    throw ArchParseError(space + ": NAO's epd form of " + std::to_string(nodes) + " nodes per cell has " +
                         std::to_string(epd_length(nodes)) + " tokens, got " + std::to_string(tokens.size()));
  }
  TwoCellBranches cells;
  std::size_t position = 0;
  for (int c = 0; c < 2; ++c) {
    for (int j = 0; j < nodes; ++j) {
      for (int slot = 0; slot < 2; ++slot, position += kTokensPerBranch) {
        const int vertex = j + kCellInputs;
        const std::int64_t node_token = tokens[position];
        check_input(static_cast<int>(std::clamp<std::int64_t>(node_token - 1, -1, vertex)), vertex, c, space,
                    "epd token " + std::to_string(position) + " is " + std::to_string(node_token) + " (node_" +
                        std::to_string(node_token) + ")");
        const std::pair<std::int64_t, std::int64_t> pair{tokens[position + 1], tokens[position + 2]};
        const auto& ops = vocab1_ops();
        const auto found = std::find_if(ops.begin(), ops.end(), [&](const std::string& op) { return epd_pair(op) == pair; });
        if (found == ops.end()) {
          throw ArchParseError(space + ": epd tokens " + std::to_string(position + 1) + "-" +
                               std::to_string(position + 2) + " are " + std::to_string(pair.first) + " " +
                               std::to_string(pair.second) + ", not an op of NAO's EPD vocabulary (kind 7-13: " +
                               "identity, sep_conv, conv, dil_sep_conv, avg_pool, max_pool, min_pool; size 14-20: " +
                               "1x1, 2x2, 3x3, 5x5, 7x7, 1x3+3x1, 1x7+7x1; ops " + op_list() + ")");
        }
        cells[static_cast<std::size_t>(c)].push_back({static_cast<int>(node_token - 1), library_name(*found)});
      }
    }
  }
  return cells;
}

std::string write_epd(const TwoCellBranches& cells) {
  if (cells[0].size() > static_cast<std::size_t>(2 * kEpdMaxNodes)) {
    throw ArchError("NAO's epd form has cells of at most " + std::to_string(kEpdMaxNodes) + " nodes");
  }
  std::string text;
  for (const auto& cell : cells) {
    for (const CellBranch& branch : cell) {
      check_vocabulary(branch.op);
      const auto [kind, size] = epd_pair(vocab1_spelling(branch.op));
      for (const std::int64_t token : {std::int64_t{branch.input} + 1, kind, size}) {
        if (!text.empty()) text += ' ';
        text += std::to_string(token);
      }
    }
  }
  return text;
}

bool looks_like_dag_json(std::string_view text) {
  return text.starts_with("{") && text.find("\"conv_dag\"") != std::string_view::npos;
}

TwoCellBranches read_dag_json(std::string_view text, int nodes, const std::string& space,
                              std::array<std::vector<int>, 2>* loose_ends) {
  namespace pt = boost::property_tree;
  pt::ptree root;
  try {
    std::istringstream stream{std::string(text)};
    pt::read_json(stream, root);
  } catch (const pt::json_parser_error& e) {
    throw ArchParseError(space + ": NAO dag json, line " + std::to_string(e.line()) + ": " + e.message());
  }
  // 'node_<k>' is vertex k - 1.
  auto vertex_of = [&](const std::string& name, const std::string& where) {
    const std::string prefix = "node_";
    int vertex = -1;
    if (name.starts_with(prefix) && name.size() > prefix.size() &&
        std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                    [](unsigned char ch) { return std::isdigit(ch); }) &&
        name.size() < prefix.size() + 4) {
      vertex = std::stoi(name.substr(prefix.size())) - 1;
    }
    if (vertex < 0) throw ArchParseError(space + ": NAO dag json " + where + ": '" + name + "' is not a node_<k> name");
    return vertex;
  };
  TwoCellBranches cells;
  for (int c = 0; c < 2; ++c) {
    const std::string key = c == 0 ? "conv_dag" : "reduc_dag";
    const auto dag = root.get_child_optional(key);
    if (!dag) throw ArchParseError(space + ": NAO dag json has no \"" + key + "\" (the " + cell_label(c) + ")");
    for (int j = 0; j < nodes; ++j) {
      const int vertex = j + kCellInputs;
      const std::string name = "node_" + std::to_string(vertex + 1);
      const std::string where = key + "." + name;
      const auto node = dag->get_child_optional(pt::ptree::path_type(name, '\0'));
      if (!node) {
        throw ArchParseError(space + ": NAO dag json has no " + where + " (" + std::to_string(nodes) +
                             " nodes per cell: node_3 .. node_" + std::to_string(nodes + 2) + ")");
      }
      std::vector<std::string> fields;
      for (const auto& [unused, value] : *node) fields.push_back(value.data());
      if (fields.size() != 5) {
        throw ArchParseError(space + ": NAO dag json " + where + " has " + std::to_string(fields.size()) +
                             " entries, expected 5: [name, input 1, input 2, op 1, op 2]");
      }
      if (fields[0] != name) {
        throw ArchParseError(space + ": NAO dag json " + where + " names itself '" + fields[0] + "'");
      }
      for (int slot = 0; slot < 2; ++slot) {
        const int input = vertex_of(fields[static_cast<std::size_t>(1 + slot)], where);
        check_input(input, vertex, c, space, "NAO dag json " + where);
        const std::string& op = fields[static_cast<std::size_t>(3 + slot)];
        const auto& ops = vocab1_ops();
        if (std::find(ops.begin(), ops.end(), op) == ops.end()) {
          throw ArchParseError(space + ": NAO dag json " + where + " op '" + op +
                               "' is not in NAO's EPD vocabulary (" + op_list() + ")");
        }
        cells[static_cast<std::size_t>(c)].push_back({input, library_name(op)});
      }
    }
    if (dag->get_child_optional(pt::ptree::path_type("node_" + std::to_string(nodes + 3), '\0'))) {
      throw ArchParseError(space + ": NAO dag json " + key + " has node_" + std::to_string(nodes + 3) + ", more than " +
                           std::to_string(nodes) + " nodes per cell");
    }
    if (loose_ends != nullptr) {
      auto& ends = (*loose_ends)[static_cast<std::size_t>(c)];
      ends.clear();
      if (const auto listed = dag->get_child_optional("loose_ends")) {
        for (const auto& [unused, value] : *listed) ends.push_back(vertex_of(value.data(), key + ".loose_ends"));
      }
    }
  }
  return cells;
}

std::string write_dag_json(const TwoCellBranches& cells) {
  auto quoted = [](const std::string& s) { return "\"" + s + "\""; };
  auto node = [&](int vertex) { return quoted("node_" + std::to_string(vertex + 1)); };
  std::string text = "{";
  for (int c = 0; c < 2; ++c) {
    const auto& cell = cells[static_cast<std::size_t>(c)];
    text += std::string(c == 0 ? "" : ", ") + quoted(c == 0 ? "conv_dag" : "reduc_dag") + ": {";
    for (int v = 0; v < kCellInputs; ++v) {
      text += std::string(v == 0 ? "" : ", ") + node(v) + ": [" + node(v) + ", null, null, null, null]";
    }
    for (std::size_t b = 0; b + 1 < cell.size(); b += 2) {
      const int vertex = static_cast<int>(b / 2) + kCellInputs;
      check_vocabulary(cell[b].op);
      check_vocabulary(cell[b + 1].op);
      text += ", " + node(vertex) + ": [" + node(vertex) + ", " + node(cell[b].input) + ", " +
              node(cell[b + 1].input) + ", " + quoted(vocab1_spelling(cell[b].op)) + ", " +
              quoted(vocab1_spelling(cell[b + 1].op)) + "]";
    }
    text += "}";
  }
  return text + "}";
}

}  // namespace spaces
