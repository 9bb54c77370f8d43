// Fuzz target: NAO's own encodings read directly (spaces/nao_encodings.h):
// the dag json of dag.NAONet.json and the epd integer form, at any node
// count, without a space's pre-checks in front of them.
//
// Input: byte 0 picks the form (bit 0: dag json or epd) and the nodes per
// cell (1 + (byte 0 >> 1) % 8, so also counts epd cannot hold); the rest is
// the json text, or for epd one signed token per byte. Refusals allowed:
// spaces::ArchParseError. On every accepted input: the cells written in
// the same form read back to the same cells.

#include <cstdint>
#include <string>
#include <vector>

#include "spaces/arch.h"
#include "spaces/infra/errors.h"
#include "spaces/nao_encodings.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool json = (data[0] & 1) != 0;
  const int nodes = 1 + (data[0] >> 1) % 8;
  if (json) {
    spaces::TwoCellBranches cells;
    try {
      cells = spaces::read_dag_json(fuzz::as_text(data + 1, size - 1), nodes, "fuzz");
    } catch (const spaces::ArchParseError&) {
      return 0;
    }
    fuzz::require(spaces::read_dag_json(spaces::write_dag_json(cells), nodes, "fuzz") == cells,
                  "write_dag_json reads back to the same cells");
    return 0;
  }
  std::vector<std::int64_t> tokens;
  for (std::size_t i = 1; i < size; ++i) tokens.push_back(static_cast<std::int8_t>(data[i]));
  spaces::TwoCellBranches cells;
  try {
    cells = spaces::read_epd(tokens, nodes, "fuzz");
  } catch (const spaces::ArchParseError&) {
    return 0;
  }
  const std::vector<std::int64_t> again = spaces::split_tokens(spaces::write_epd(cells), "fuzz");
  fuzz::require(spaces::read_epd(again, nodes, "fuzz") == cells, "write_epd reads back to the same cells");
  return 0;
}
