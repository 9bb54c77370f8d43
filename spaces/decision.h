#pragma once
// Decision: one categorical choice in a space's token sequence. A space's
// decisions() lists them in token order, so a generic controller can emit a
// valid sequence for any space without knowing its grammar.

#include <cstdint>
#include <string>

namespace spaces {

enum class DecisionKind {
  kInputIndex,  // which earlier node (or cell input) feeds this node
  kOp,          // which operation is applied
  kSkipBit,     // macro space: is a skip connection from an earlier layer present
  kEdgeBit,     // Genetic CNN: is the edge between two nodes of a stage present
  kWidth,       // SPOS channel search: the width multiplier of a layer
  kCategory,    // hyper-space: a hyper-parameter whose values have no order (Choice, Bool, a module choice, a
                // permutation)
  kOrdinal,     // hyper-space: a numeric hyper-parameter (Int, Real); token order is value order
};

std::string to_string(DecisionKind kind);
// Whether a decision's token order is the order of its values (kOrdinal,
// kWidth), so a model may treat the token as a number (Bayesian
// optimisation's kernel); otherwise its values are categories (one-hot).
bool is_ordered(DecisionKind kind);

struct Decision {
  DecisionKind kind = DecisionKind::kOp;
  std::int64_t num_choices = 0;  // legal values are 0 .. num_choices-1 (subject to
                                 // SearchSpace::legal_choices for prefix-dependent rules)
  int cell = 0;                  // index into ArchGraph::cells (normal 0, reduction 1; a stage; a layer stack)
  int node = 0;                  // graph vertex the decision belongs to
  int slot = 0;                  // which input of the node (0/1), or the source node of a skip/edge bit

  // Human-readable: "normal cell, node 3, input 1 index".
  std::string describe(const std::string& cell_name) const;
};

}  // namespace spaces
