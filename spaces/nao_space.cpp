// nao: the NAO search space (Luo et al. 2018, "Neural Architecture
// Optimization"): the ENAS micro grammar and arc strings, with NAO's op
// vocabularies, and NAO's own text forms (spaces/nao_encodings.h).
//
// ops=enas: the 5-op list of NAO-WS (the ENAS ops, in ENAS's order).
// ops=nao16: NAO_V1's 16-index list (the 5 small ops, then identity,
//   conv 1x1, conv 3x3, conv 1x3+3x1, conv 1x7+7x1, max pool 2/3/5, avg
//   pool 2/3/5), in which identity and the 3x3 pools appear twice: their
//   second names carry a "_large" suffix so every token has its own name,
//   and decode maps both to the same function so canonical hashes treat
//   them as one op.
// ops=epd: the 19 ops of NAO_V1's encoder-predictor-decoder vocabulary
//   (NAO/cnn/epd/vocab.py VOCAB1), which the AmoebaNet, NASNet and ENAS
//   sequences published there need (sep_conv_7x7, dil_sep_conv_5x5, ...).
//
// Text forms: "arc" (canonical), "genotype", "epd" (the 12-tokens-per-node
// sequence, 60 tokens at B = 5) and "dag_json" (dag.NAONet.json's form).
// parse tells them apart by shape: a json object, a genotype, or integers
// whose count is 8B (arc: 4 per node, two cells) or 12B (epd, B <= 5). An op of a NAO form that the
// space's vocabulary lacks is refused naming the vocabulary that has it.

#include <algorithm>

#include "spaces/cell_space.h"
#include "spaces/genotype_format.h"
#include "spaces/infra/errors.h"
#include "spaces/nao_encodings.h"
#include "spaces/registry.h"

namespace spaces {
namespace {

const std::vector<std::string> kNaoSmallOps = {"sep_conv_3x3", "sep_conv_5x5", "avg_pool_3x3", "max_pool_3x3",
                                               "identity"};
const std::vector<std::string> kNaoLargeOps = {
    "identity_large",     "conv_1x1",     "conv_3x3",     "conv_1x3_3x1",       "conv_1x7_7x1", "max_pool_2x2",
    "max_pool_3x3_large", "max_pool_5x5", "avg_pool_2x2", "avg_pool_3x3_large", "avg_pool_5x5"};

std::string without_large_suffix(const std::string& op) {
  const std::string suffix = "_large";
  return op.ends_with(suffix) ? op.substr(0, op.size() - suffix.size()) : op;
}

class NaoSpace final : public CellSpace {
 public:
  using CellSpace::CellSpace;

  std::vector<std::string> formats() const override {
    if (layout().nodes > kEpdMaxNodes) return {"arc", "genotype", "dag_json"};
    return {"arc", "genotype", "epd", "dag_json"};
  }

  std::string to_string(const Arch& arch, const std::string& format) const override {
    check_format(format);
    if (format == "epd") return write_epd(branches(arch));
    if (format == "dag_json") return write_dag_json(branches(arch));
    return CellSpace::to_string(arch, format);
  }

 protected:
  Arch parse_text(const std::string& text) const override {
    if (looks_like_dag_json(text)) {
      std::array<std::vector<int>, 2> loose_ends;
      const Arch arch = from_branches(read_dag_json(text, layout().nodes, spec(), &loose_ends), "dag json");
      check_loose_ends(arch, loose_ends);
      return arch;
    }
    if (!looks_like_genotype(text)) {
      std::vector<std::int64_t> tokens;
      try {
        tokens = split_tokens(text, name());
      } catch (const ArchParseError&) {
        return CellSpace::parse_text(text);  // its error names every form
      }
      if (tokens.size() == epd_length(layout().nodes) && layout().nodes <= kEpdMaxNodes) {
        return from_branches(read_epd(tokens, layout().nodes, spec()), "epd");
      }
      if (tokens.size() != num_tokens()) {
        throw ArchParseError(spec() + ": " + std::to_string(tokens.size()) + " tokens; this space reads " +
                             std::to_string(num_tokens()) + " (arc: input op input op per node) or " +
                             std::to_string(epd_length(layout().nodes)) +
                             " (NAO's epd: node kind size node kind size per node), a Genotype(...) or a NAO dag "
                             "json");
      }
    }
    return CellSpace::parse_text(text);
  }

 private:
  TwoCellBranches branches(const Arch& arch) const {
    validate(arch);
    TwoCellBranches cells;
    for (int c = 0; c < 2; ++c) {
      for (int j = 0; j < layout().nodes; ++j) {
        for (int slot = 0; slot < 2; ++slot) {
          const auto input = arch.tokens[position(c, j, slot, DecisionKind::kInputIndex)];
          const auto op = arch.tokens[position(c, j, slot, DecisionKind::kOp)];
          cells[static_cast<std::size_t>(c)].push_back(
              {static_cast<int>(input), layout().op_functions[static_cast<std::size_t>(op)]});
        }
      }
    }
    return cells;
  }

  Arch from_branches(const TwoCellBranches& cells, const std::string& form) const {
    std::vector<std::int64_t> tokens(num_tokens(), 0);
    for (int c = 0; c < 2; ++c) {
      for (int j = 0; j < layout().nodes; ++j) {
        for (int slot = 0; slot < 2; ++slot) {
          const CellBranch& branch = cells[static_cast<std::size_t>(c)][static_cast<std::size_t>(2 * j + slot)];
          const auto& functions = layout().op_functions;
          const auto found = std::find(functions.begin(), functions.end(), branch.op);
          if (found == functions.end()) {
            throw ArchParseError(spec() + ": the " + form + "'s " + cell_name(c) + " node " + std::to_string(j + 2) +
                                 " uses op '" + branch.op + "', which ops=" + params().get_string("ops") +
                                 " does not have; " + vocabularies_with(branch.op));
          }
          tokens[position(c, j, slot, DecisionKind::kInputIndex)] = branch.input;
          tokens[position(c, j, slot, DecisionKind::kOp)] = found - functions.begin();
        }
      }
    }
    Arch arch = make_arch(std::move(tokens));
    validate(arch);
    return arch;
  }

  // NAO_V1's NASCell concatenates the listed loose ends instead of its own
  // when a dag has them; only lists this space's output rule derives read.
  void check_loose_ends(const Arch& arch, const std::array<std::vector<int>, 2>& listed) const {
    const ArchGraph graph = decode(arch);
    for (int c = 0; c < 2; ++c) {
      std::vector<int> given = listed[static_cast<std::size_t>(c)];
      if (given.empty()) continue;
      const CellGraph& cell = graph.cells[static_cast<std::size_t>(c)];
      const auto output = static_cast<Vertex>(boost::num_vertices(cell) - 1);
      std::vector<int> derived;
      for (const auto e : boost::make_iterator_range(boost::in_edges(output, cell))) {
        derived.push_back(static_cast<int>(boost::source(e, cell)));
      }
      std::sort(given.begin(), given.end());
      std::sort(derived.begin(), derived.end());
      if (given != derived) {
        throw ArchParseError(spec() + ": the dag json's " + cell_name(c) +
                             " lists loose_ends other than the unconsumed vertices this space concatenates");
      }
    }
  }

  static std::string vocabularies_with(const std::string& op) {
    const auto& epd = epd_vocabulary();
    if (std::find(epd.begin(), epd.end(), op) != epd.end()) return "ops=epd has every op of NAO's EPD vocabulary";
    return "no NAO vocabulary has it";
  }
};

}  // namespace

REGISTER_SPACE(nao, "NAO: the ENAS micro grammar with NAO's op vocabularies (5 ops, NAO_V1's 16, or its EPD 19)",
               (std::vector<ParamSpec>{ParamSpec{"nodes", std::int64_t{5}, "nodes per cell (B)", 1, 12},
                                       ParamSpec{"ops", std::string("enas"),
                                                 "op vocabulary: enas (5), nao16 or epd (NAO_V1's EPD vocab.py, 19)",
                                                 0,
                                                 0,
                                                 {"enas", "nao16", "epd"}}}),
               [](const Params& params) {
                 CellLayout layout;
                 const std::string ops = params.get_string("ops");
                 if (ops == "epd") {
                   layout.ops = epd_vocabulary();
                 } else {
                   layout.ops = kNaoSmallOps;
                   if (ops == "nao16") layout.ops.insert(layout.ops.end(), kNaoLargeOps.begin(), kNaoLargeOps.end());
                 }
                 for (const auto& op : layout.ops) layout.op_functions.push_back(without_large_suffix(op));
                 layout.cells = {CellRole::kNormal, CellRole::kReduction};
                 layout.nodes = static_cast<int>(params.get_int("nodes"));
                 return std::make_shared<const NaoSpace>("nao", params, layout);
               });

}  // namespace spaces
