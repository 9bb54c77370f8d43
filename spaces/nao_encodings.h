#pragma once
// NAO's own text forms of a two-cell architecture (Luo et al. 2018, "Neural
// Architecture Optimization"; code renqianluo/NAO, NAO_V1), read and written
// independently of any op vocabulary: a cell is a list of branches, each an
// input vertex and an op named as the op library names it
// (childnets/ops.h: "sep_conv_3x3", "conv_1x7_7x1", "dil_sep_conv_5x5").
//
//  - "epd": the sequence NAO_V1's encoder-predictor-decoder reads
//    (NAO/cnn/epd/vocab.py, convert_arch_to_seq.py): for each node of the
//    normal cell, then of the reduction cell,
//      in_1+1  kind_1 size_1  in_2+1  kind_2 size_2
//    where in+1 is VOCAB1's 'node_<in+1>' (1 is the cell two back, 2 the
//    previous cell, 3.. the nodes) and kind/size are VOCAB2 indices:
//    identity 7, sep_conv 8, conv 9, dil_sep_conv 10, avg_pool 11,
//    max_pool 12, min_pool 13; 1x1 14, 2x2 15, 3x3 16, 5x5 17, 7x7 18,
//    1x3+3x1 19, 1x7+7x1 20 (identity is written 7 14). 12 tokens per node:
//    60 for NAO's B = 5. vocab.py publishes AmoebaNet-A/B, NASNet and ENAS
//    in this form.
//  - "dag_json": NAO_V1's dag.<i>.json files (NAO/cnn/dag.NAONet.json):
//      {"conv_dag": {"node_1": ["node_1", null, null, null, null], ...,
//       "node_3": ["node_3", "node_1", "node_2", "conv 3x3", "avg_pool 5x5"],
//       ...}, "reduc_dag": {...}}
//    with ops as VOCAB1 spells them ("sep_conv 3x3", "conv 1x3+3x1"). An
//    optional "loose_ends" list must name the vertices the cell's loose
//    ends are (NAO's default), as NAO_V1's NASCell would otherwise use it.
//
// Throws ArchParseError (spaces/infra/errors.h) naming the token position or
// JSON key, the value and what is legal, for text that is not such a form.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spaces {

struct CellBranch {
  int input = 0;   // vertex: 0 the cell two back, 1 the previous cell, 2.. the nodes
  std::string op;  // op-library name, "sep_conv_3x3"
  friend bool operator==(const CellBranch&, const CellBranch&) = default;
};

// Branches of each node in order (node 2's two, then node 3's, ...), for
// the normal cell [0] and the reduction cell [1].
using TwoCellBranches = std::array<std::vector<CellBranch>, 2>;

// The 19 ops of NAO_V1's EPD vocabulary (vocab.py VOCAB1, in its order) as
// op-library names: identity, sep_conv_3x3/5x5/7x7, avg_pool_2x2/3x3/5x5,
// max_pool_2x2/3x3/5x5/7x7, min_pool_2x2, conv_1x1, conv_3x3,
// conv_1x3_3x1, conv_1x7_7x1, dil_sep_conv_3x3/5x5/7x7.
const std::vector<std::string>& epd_vocabulary();

// Number of tokens of the epd form for `nodes` nodes per cell: 12 * nodes.
std::size_t epd_length(int nodes);
// VOCAB1 names inputs node_1 .. node_6 (token 7 is the identity kind), so
// the epd form has cells of at most 5 nodes.
constexpr int kEpdMaxNodes = 5;

// Reads the epd form (integers as split_tokens reads them) of a two-cell
// architecture with `nodes` nodes per cell. `space` names the space in
// errors. Throws ArchParseError for more than kEpdMaxNodes nodes, a wrong
// length, an input that is not an earlier vertex, or a (kind, size) pair
// that is not an EPD op.
TwoCellBranches read_epd(const std::vector<std::int64_t>& tokens, int nodes, const std::string& space);
// Writes the epd form; throws ArchError for an op outside epd_vocabulary()
// or cells of more than kEpdMaxNodes nodes.
std::string write_epd(const TwoCellBranches& cells);

// Whether text is a NAO dag json (an object with "conv_dag").
bool looks_like_dag_json(std::string_view text);
// Reads a dag json with `nodes` nodes per cell. Throws ArchParseError for a
// missing cell or node, a node whose name disagrees with its key, an input
// that is not an earlier vertex, or an op outside epd_vocabulary().
// `loose_ends`: the vertices each cell's "loose_ends" names, empty where
// the json has none.
TwoCellBranches read_dag_json(std::string_view text, int nodes, const std::string& space,
                              std::array<std::vector<int>, 2>* loose_ends = nullptr);
// Writes the form of dag.NAONet.json (Python's json.dumps separators).
std::string write_dag_json(const TwoCellBranches& cells);

}  // namespace spaces
