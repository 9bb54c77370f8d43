#include "spaces/cell_space.h"

#include <algorithm>

#include "spaces/genotype_format.h"
#include "spaces/infra/errors.h"

namespace spaces {
namespace {

constexpr int kCellInputs = 2;

std::string node_name(int vertex) {
  return vertex < kCellInputs ? "in" + std::to_string(vertex) : "node " + std::to_string(vertex);
}

}  // namespace

CellSpace::CellSpace(std::string name, Params params, CellLayout layout)
    : SearchSpace(std::move(name), std::move(params)), layout_(std::move(layout)) {
  op_names_ = layout_.ops;
  if (layout_.op_functions.empty()) layout_.op_functions = layout_.ops;
  const std::int64_t num_ops = static_cast<std::int64_t>(layout_.ops.size());
  for (int c = 0; c < static_cast<int>(layout_.cells.size()); ++c) {
    for (int j = 0; j < layout_.nodes; ++j) {
      const int vertex = j + kCellInputs;
      Decision input{DecisionKind::kInputIndex, vertex, c, vertex, 0};
      Decision op{DecisionKind::kOp, num_ops, c, vertex, 0};
      auto slot = [](Decision d, int s) { return d.slot = s, d; };
      if (layout_.order == TokenOrder::kInputOpInputOp) {
        decisions_.insert(decisions_.end(), {slot(input, 0), slot(op, 0), slot(input, 1), slot(op, 1)});
      } else {
        decisions_.insert(decisions_.end(), {slot(input, 0), slot(input, 1), slot(op, 0), slot(op, 1)});
      }
    }
  }
}

std::string CellSpace::cell_name(int cell) const {
  return spaces::to_string(layout_.cells.at(static_cast<std::size_t>(cell)));
}

std::size_t CellSpace::position(int cell, int node, int slot, DecisionKind kind) const {
  const std::size_t base = static_cast<std::size_t>(cell * layout_.nodes + node) * 4;
  const bool op = kind == DecisionKind::kOp;
  if (layout_.order == TokenOrder::kInputOpInputOp) return base + static_cast<std::size_t>(2 * slot + (op ? 1 : 0));
  return base + static_cast<std::size_t>(slot + (op ? 2 : 0));
}

std::vector<bool> CellSpace::legal_choices(std::span<const std::int64_t> prefix) const {
  std::vector<bool> legal = SearchSpace::legal_choices(prefix);
  const Decision& decision = decisions_.at(prefix.size());
  if (layout_.distinct_inputs && decision.kind == DecisionKind::kInputIndex && decision.slot == 1) {
    const std::size_t first = position(decision.cell, decision.node - kCellInputs, 0, DecisionKind::kInputIndex);
    const std::int64_t taken = prefix[first];
    if (taken >= 0 && taken < static_cast<std::int64_t>(legal.size())) legal[static_cast<std::size_t>(taken)] = false;
  }
  return legal;
}

std::vector<int> CellSpace::concat_sources(const CellGraph& cell) const {
  std::vector<int> sources;
  if (layout_.output == OutputRule::kAllNodes) {
    for (int v = kCellInputs; v < layout_.nodes + kCellInputs; ++v) sources.push_back(v);
    return sources;
  }
  for (Vertex v : loose_ends(cell)) {
    if (layout_.output == OutputRule::kLooseEndsWithInputs || v >= kCellInputs) sources.push_back(static_cast<int>(v));
  }
  return sources;
}

ArchGraph CellSpace::decode(const Arch& arch) const {
  validate(arch);
  ArchGraph graph{spec(), {}};
  for (int c = 0; c < static_cast<int>(layout_.cells.size()); ++c) {
    CellGraph cell;
    cell[boost::graph_bundle] = CellGraphInfo{layout_.cells[static_cast<std::size_t>(c)], Combine::kConcat};
    for (int v = 0; v < kCellInputs; ++v) boost::add_vertex(NodeInfo{NodeKind::kCellInput, v, node_name(v), ""}, cell);
    for (int j = 0; j < layout_.nodes; ++j) {
      const int vertex = j + kCellInputs;
      boost::add_vertex(NodeInfo{NodeKind::kIntermediate, vertex, node_name(vertex), ""}, cell);
      for (int slot = 0; slot < 2; ++slot) {
        const auto input = arch.tokens[position(c, j, slot, DecisionKind::kInputIndex)];
        const auto op = static_cast<int>(arch.tokens[position(c, j, slot, DecisionKind::kOp)]);
        boost::add_edge(static_cast<Vertex>(input), static_cast<Vertex>(vertex),
                        EdgeInfo{op, layout_.op_functions[static_cast<std::size_t>(op)], slot}, cell);
      }
    }
    const int output = layout_.nodes + kCellInputs;
    boost::add_vertex(NodeInfo{NodeKind::kOutput, output, "output", ""}, cell);
    const std::vector<int> sources = concat_sources(cell);
    for (std::size_t i = 0; i < sources.size(); ++i) {
      boost::add_edge(static_cast<Vertex>(sources[i]), static_cast<Vertex>(output),
                      EdgeInfo{-1, "identity", static_cast<int>(i)}, cell);
    }
    graph.cells.push_back(std::move(cell));
  }
  return graph;
}

Arch CellSpace::encode(const ArchGraph& graph) const {
  if (graph.space != spec()) throw ArchError("graph of space '" + graph.space + "' given to space '" + spec() + "'");
  if (graph.cells.size() != layout_.cells.size()) {
    throw ArchError(name() + ": expected " + std::to_string(layout_.cells.size()) + " cells, got " +
                    std::to_string(graph.cells.size()));
  }
  std::vector<std::int64_t> tokens(num_tokens(), 0);
  for (int c = 0; c < static_cast<int>(graph.cells.size()); ++c) {
    const CellGraph& cell = graph.cells[static_cast<std::size_t>(c)];
    if (boost::num_vertices(cell) != static_cast<std::size_t>(layout_.nodes + kCellInputs + 1)) {
      throw ArchError(name() + ": " + cell_name(c) + " has " + std::to_string(boost::num_vertices(cell)) +
                      " vertices, expected " + std::to_string(layout_.nodes + kCellInputs + 1));
    }
    for (int j = 0; j < layout_.nodes; ++j) {
      const auto inputs = inputs_by_slot(cell, static_cast<Vertex>(j + kCellInputs));
      if (inputs.size() != 2) {
        throw ArchError(name() + ": " + cell_name(c) + " node " + std::to_string(j + kCellInputs) + " has " +
                        std::to_string(inputs.size()) + " inputs, expected 2");
      }
      for (int slot = 0; slot < 2; ++slot) {
        const Edge& e = inputs[static_cast<std::size_t>(slot)];
        tokens[position(c, j, slot, DecisionKind::kInputIndex)] = static_cast<std::int64_t>(boost::source(e, cell));
        tokens[position(c, j, slot, DecisionKind::kOp)] = cell[e].op;
      }
    }
  }
  Arch arch = make_arch(std::move(tokens));
  validate(arch);
  return arch;
}

std::vector<std::string> CellSpace::formats() const {
  if (layout_.cells.size() != 2) return {"arc"};
  if (layout_.genotype_first) return {"genotype", "arc"};
  return {"arc", "genotype"};
}

std::string CellSpace::to_string(const Arch& arch, const std::string& format) const {
  if (format != "genotype" || layout_.cells.size() != 2) return SearchSpace::to_string(arch, format);
  const ArchGraph graph = decode(arch);
  Genotype genotype;
  for (int c = 0; c < 2; ++c) {
    GenotypeCell& out = c == 0 ? genotype.normal : genotype.reduce;
    for (int j = 0; j < layout_.nodes; ++j) {
      for (int slot = 0; slot < 2; ++slot) {
        const auto input = static_cast<int>(arch.tokens[position(c, j, slot, DecisionKind::kInputIndex)]);
        const auto op = static_cast<std::size_t>(arch.tokens[position(c, j, slot, DecisionKind::kOp)]);
        out.edges.emplace_back(layout_.ops[op], input);
      }
    }
    out.concat = concat_sources(graph.cells[static_cast<std::size_t>(c)]);
  }
  return print_genotype(genotype);
}

Arch CellSpace::parse_text(const std::string& text) const {
  if (!looks_like_genotype(text)) return SearchSpace::parse_text(text);
  if (layout_.cells.size() != 2) throw ArchParseError(name() + ": has no genotype form (it has one cell)");
  const Genotype genotype = parse_genotype(text, name());
  std::vector<std::int64_t> tokens(num_tokens(), 0);
  for (int c = 0; c < 2; ++c) {
    const GenotypeCell& cell = c == 0 ? genotype.normal : genotype.reduce;
    const std::string cell_key = c == 0 ? "normal" : "reduce";
    if (cell.edges.size() != static_cast<std::size_t>(2 * layout_.nodes)) {
      throw ArchParseError(name() + ": genotype '" + cell_key + "' has " + std::to_string(cell.edges.size()) +
                           " edges, expected " + std::to_string(2 * layout_.nodes) + " (two per node)");
    }
    for (int j = 0; j < layout_.nodes; ++j) {
      for (int slot = 0; slot < 2; ++slot) {
        const auto& [op, input] = cell.edges[static_cast<std::size_t>(2 * j + slot)];
        const int vertex = j + kCellInputs;
        if (input >= vertex || input < 0) {
          throw ArchParseError(
              name() + ": genotype '" + cell_key + "' node " + std::to_string(vertex) + " takes input " +
              std::to_string(input) +
              (input >= vertex ? ", which is not an earlier node (a cycle or forward reference)" : "") +
              "; legal inputs [0, " + std::to_string(vertex - 1) + "]");
        }
        tokens[position(c, j, slot, DecisionKind::kInputIndex)] = input;
        tokens[position(c, j, slot, DecisionKind::kOp)] = op_index(op);
      }
    }
  }
  Arch arch = make_arch(std::move(tokens));
  validate(arch);
  // The concat lists carry no decision, but they must be the ones this
  // space's output rule derives; a different list is a different space.
  const ArchGraph graph = decode(arch);
  for (int c = 0; c < 2; ++c) {
    const std::vector<int>& given = c == 0 ? genotype.normal.concat : genotype.reduce.concat;
    std::vector<int> derived = concat_sources(graph.cells[static_cast<std::size_t>(c)]);
    std::vector<int> sorted = given;
    std::sort(sorted.begin(), sorted.end());
    if (sorted != derived) {
      auto list = [](const std::vector<int>& values) {
        std::string text;
        for (int v : values) text += (text.empty() ? "" : ", ") + std::to_string(v);
        return "[" + text + "]";
      };
      throw ArchParseError(name() + ": genotype '" + std::string(c == 0 ? "normal" : "reduce") + "_concat' is " +
                           list(given) + ", but these edges concatenate " + list(derived));
    }
  }
  return arch;
}

BigCount CellSpace::cell_size() const {
  const std::uint64_t ops = layout_.ops.size();
  BigCount count(1);
  for (int j = 0; j < layout_.nodes; ++j) {
    const std::uint64_t inputs = static_cast<std::uint64_t>(j + kCellInputs);
    const std::uint64_t input_pairs = layout_.distinct_inputs ? inputs * (inputs - 1) : inputs * inputs;
    count *= BigCount(input_pairs * ops * ops);
  }
  return count;
}

BigCount CellSpace::size() const { return BigCount::power(cell_size(), layout_.cells.size()); }

std::vector<std::pair<std::string, BigCount>> CellSpace::size_parts() const {
  std::vector<std::pair<std::string, BigCount>> parts;
  for (int c = 0; c < static_cast<int>(layout_.cells.size()); ++c) parts.emplace_back(cell_name(c), cell_size());
  return parts;
}

}  // namespace spaces
