#include "spaces/genet_space.h"

#include <sstream>

#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace spaces {
namespace {

const std::string kNodeOp = "conv_3x3";

std::size_t bits_of(int nodes) { return static_cast<std::size_t>(nodes) * static_cast<std::size_t>(nodes - 1) / 2; }
// Position of the bit (i -> j), 1-based nodes, within its stage.
std::size_t bit_index(int i, int j) { return bits_of(j - 1) + static_cast<std::size_t>(i - 1); }

}  // namespace

GenetSpace::GenetSpace(Params params) : SearchSpace("genet", std::move(params)) {
  for (std::int64_t k : this->params().get_int_list("stages")) nodes_.push_back(static_cast<int>(k));
  for (int s = 0; s < static_cast<int>(nodes_.size()); ++s) {
    for (int j = 2; j <= nodes_[static_cast<std::size_t>(s)]; ++j) {
      for (int i = 1; i < j; ++i) decisions_.push_back(Decision{DecisionKind::kEdgeBit, 2, s, j, i});
    }
  }
}

std::string GenetSpace::cell_name(int cell) const { return "stage " + std::to_string(cell + 1); }

std::size_t GenetSpace::stage_offset(int stage) const {
  std::size_t offset = 0;
  for (int s = 0; s < stage; ++s) offset += bits_of(nodes_[static_cast<std::size_t>(s)]);
  return offset;
}

ArchGraph GenetSpace::decode(const Arch& arch) const {
  validate(arch);
  ArchGraph result{spec(), {}};
  for (int s = 0; s < static_cast<int>(nodes_.size()); ++s) {
    const int K = nodes_[static_cast<std::size_t>(s)];
    const std::size_t offset = stage_offset(s);
    auto bit = [&](int i, int j) { return arch.tokens[offset + bit_index(i, j)] == 1; };
    std::vector<bool> has_pred(static_cast<std::size_t>(K + 1), false),
        has_succ(static_cast<std::size_t>(K + 1), false);
    for (int j = 2; j <= K; ++j) {
      for (int i = 1; i < j; ++i) {
        if (bit(i, j)) has_pred[static_cast<std::size_t>(j)] = has_succ[static_cast<std::size_t>(i)] = true;
      }
    }
    CellGraph graph;
    graph[boost::graph_bundle] = CellGraphInfo{CellRole::kStage, Combine::kSum};
    const Vertex input = boost::add_vertex(NodeInfo{NodeKind::kCellInput, -1, "input", ""}, graph);
    const Vertex default_in = boost::add_vertex(NodeInfo{NodeKind::kIntermediate, 0, "node 0", kNodeOp}, graph);
    boost::add_edge(input, default_in, EdgeInfo{-1, "identity", 0}, graph);
    std::vector<Vertex> vertex_of(static_cast<std::size_t>(K + 1), 0);
    std::vector<int> kept;
    for (int k = 1; k <= K; ++k) {
      const auto idx = static_cast<std::size_t>(k);
      if (!has_pred[idx] && !has_succ[idx]) continue;  // isolated: dropped
      vertex_of[idx] =
          boost::add_vertex(NodeInfo{NodeKind::kIntermediate, k, "node " + std::to_string(k), kNodeOp}, graph);
      kept.push_back(k);
    }
    const bool empty_stage = kept.empty();
    const Vertex output = boost::add_vertex(
        NodeInfo{NodeKind::kOutput, K + 1, "node " + std::to_string(K + 1), empty_stage ? "" : kNodeOp}, graph);
    if (empty_stage) boost::add_edge(default_in, output, EdgeInfo{-1, "identity", 0}, graph);
    for (int j : kept) {
      const auto jdx = static_cast<std::size_t>(j);
      if (!has_pred[jdx]) boost::add_edge(default_in, vertex_of[jdx], EdgeInfo{-1, "identity", 0}, graph);
      for (int i = 1; i < j; ++i) {
        if (bit(i, j))
          boost::add_edge(vertex_of[static_cast<std::size_t>(i)], vertex_of[jdx], EdgeInfo{-1, "identity", i}, graph);
      }
      if (!has_succ[jdx]) boost::add_edge(vertex_of[jdx], output, EdgeInfo{-1, "identity", j}, graph);
    }
    result.cells.push_back(std::move(graph));
  }
  return result;
}

Arch GenetSpace::encode(const ArchGraph& graph) const {
  if (graph.space != spec() || graph.cells.size() != nodes_.size()) {
    throw ArchError(name() + ": expected " + std::to_string(nodes_.size()) + " stage graphs of space " + name());
  }
  std::vector<std::int64_t> tokens(num_tokens(), 0);
  for (int s = 0; s < static_cast<int>(nodes_.size()); ++s) {
    const CellGraph& stage = graph.cells[static_cast<std::size_t>(s)];
    const int K = nodes_[static_cast<std::size_t>(s)];
    for (auto [it, end] = boost::edges(stage); it != end; ++it) {
      const int i = stage[boost::source(*it, stage)].index;
      const int j = stage[boost::target(*it, stage)].index;
      const bool ordinary = i >= 1 && i <= K && j >= 1 && j <= K;
      if (!ordinary) continue;  // edges of the default nodes are implied
      if (i >= j)
        throw ArchError(name() + ": " + cell_name(s) + " has an edge from node " + std::to_string(i) + " to node " +
                        std::to_string(j) + " (a cycle or backward edge)");
      tokens[stage_offset(s) + bit_index(i, j)] = 1;
    }
  }
  Arch arch = make_arch(std::move(tokens));
  validate(arch);
  return arch;
}

std::string GenetSpace::to_string(const Arch& arch, const std::string& format) const {
  if (format != "code") return SearchSpace::to_string(arch, format);
  validate(arch);
  std::string text;
  for (int s = 0; s < static_cast<int>(nodes_.size()); ++s) {
    if (s > 0) text += ' ';
    const std::size_t offset = stage_offset(s);
    for (int j = 2; j <= nodes_[static_cast<std::size_t>(s)]; ++j) {
      if (j > 2) text += '-';
      for (int i = 1; i < j; ++i) text += arch.tokens[offset + bit_index(i, j)] == 1 ? '1' : '0';
    }
  }
  return text;
}

Arch GenetSpace::parse_text(const std::string& text) const {
  // A code has dashes only between groups of bits; a word that starts with
  // '-' is a negative arc token, left to the arc parser for its range error.
  const bool code_characters = text.find_first_not_of("01- \t\n") == std::string::npos;
  std::istringstream probe(text);
  std::string word;
  bool negative_word = false;
  while (probe >> word) negative_word |= word.front() == '-' && word.size() > 1 && word[1] != '-';
  if (text.find('-') == std::string::npos || !code_characters || negative_word) {
    // The space-separated arc (negative tokens included, for their error),
    // or a code whose stages have K <= 2, which reads the same.
    return SearchSpace::parse_text(text);
  }
  std::istringstream words(text);
  std::string stage_code;
  std::vector<std::int64_t> tokens;
  int s = 0;
  while (words >> stage_code) {
    if (s >= static_cast<int>(nodes_.size())) {
      throw ArchParseError(name() + ": code has more than " + std::to_string(nodes_.size()) + " stages");
    }
    const int K = nodes_[static_cast<std::size_t>(s)];
    if (stage_code.front() == '-' || stage_code.back() == '-' || stage_code.find("--") != std::string::npos) {
      throw ArchParseError(name() + ": stage " + std::to_string(s + 1) + " code '" + stage_code +
                           "' has an empty group");
    }
    std::istringstream groups(stage_code);
    std::string group;
    int j = 2;
    while (std::getline(groups, group, '-')) {
      if (j > K || group.size() != static_cast<std::size_t>(j - 1)) {
        throw ArchParseError(name() + ": stage " + std::to_string(s + 1) + " code '" + stage_code + "': group " +
                             std::to_string(j - 1) + " is '" + group + "', expected " +
                             (j > K ? "no more groups (K=" + std::to_string(K) + ")"
                                    : std::to_string(j - 1) + " bits for node " + std::to_string(j)));
      }
      for (char c : group) {
        if (c != '0' && c != '1') {
          throw ArchParseError(name() + ": stage " + std::to_string(s + 1) + " code '" + stage_code + "' has '" +
                               std::string(1, c) + "', bits are 0 or 1");
        }
        tokens.push_back(c - '0');
      }
      ++j;
    }
    if (j != K + 1) {
      throw ArchParseError(name() + ": stage " + std::to_string(s + 1) + " code '" + stage_code + "' has " +
                           std::to_string(j - 2) + " groups, expected " + std::to_string(K - 1));
    }
    ++s;
  }
  if (s != static_cast<int>(nodes_.size())) {
    throw ArchParseError(name() + ": code has " + std::to_string(s) + " stages, expected " +
                         std::to_string(nodes_.size()));
  }
  Arch arch = make_arch(std::move(tokens));
  validate(arch);
  return arch;
}

BigCount GenetSpace::size() const { return BigCount::power(BigCount(2), num_tokens()); }

std::vector<std::pair<std::string, BigCount>> GenetSpace::size_parts() const {
  std::vector<std::pair<std::string, BigCount>> parts;
  for (int s = 0; s < static_cast<int>(nodes_.size()); ++s) {
    parts.emplace_back(cell_name(s), BigCount::power(BigCount(2), bits_of(nodes_[static_cast<std::size_t>(s)])));
  }
  return parts;
}

REGISTER_SPACE(genet, "Genetic CNN: stages of K_s nodes, one bit per node pair",
               {ParamSpec{"stages", std::vector<std::int64_t>{3, 4, 5}, "nodes per stage (K_s), e.g. [3,4,5]", 2, 10}},
               [](const Params& params) { return std::make_shared<const GenetSpace>(params); });

}  // namespace spaces
