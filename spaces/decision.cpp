#include "spaces/decision.h"

namespace spaces {

std::string to_string(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::kInputIndex:
      return "input index";
    case DecisionKind::kOp:
      return "op";
    case DecisionKind::kSkipBit:
      return "skip bit";
    case DecisionKind::kEdgeBit:
      return "edge bit";
    case DecisionKind::kWidth:
      return "width";
    case DecisionKind::kCategory:
      return "category";
    case DecisionKind::kOrdinal:
      return "ordinal";
  }
  return "unknown";
}

bool is_ordered(DecisionKind kind) { return kind == DecisionKind::kOrdinal || kind == DecisionKind::kWidth; }

std::string Decision::describe(const std::string& cell_name) const {
  std::string text = cell_name + ", node " + std::to_string(node);
  switch (kind) {
    case DecisionKind::kInputIndex:
    case DecisionKind::kOp:
      return text + ", input " + std::to_string(slot + 1) + " " + to_string(kind);
    case DecisionKind::kSkipBit:
    case DecisionKind::kEdgeBit:
      return text + ", " + to_string(kind) + " from node " + std::to_string(slot);
    case DecisionKind::kWidth:
    case DecisionKind::kCategory:
    case DecisionKind::kOrdinal:
      return text + ", " + to_string(kind);
  }
  return text;
}

}  // namespace spaces
