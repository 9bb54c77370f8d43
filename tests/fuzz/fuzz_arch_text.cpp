// Fuzz target: every space's architecture text forms (arc integers,
// DARTS genotypes, NAO's epd and dag json, text pasted with its context,
// preset names) and the space spec itself ("nao(nodes=5)").
//
// Input: a space spec on the first line, the architecture text after it.
// Refusals allowed: spaces::OptionError for the spec, spaces::ArchError for
// the text. On every accepted text: the architecture validates, decodes to
// graphs that encode back to it, and each of the space's formats writes a
// text that parses to the same function (canonical hash) and writes the
// same text again.

#include <cstdint>
#include <string>

#include "spaces/infra/errors.h"
#include "spaces/registry.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input = fuzz::as_text(data, size);
  const std::size_t newline = input.find('\n');
  if (newline == std::string::npos) return 0;
  spaces::SpacePtr space;
  try {
    space = spaces::make_space(input.substr(0, newline));
  } catch (const spaces::OptionError&) {
    return 0;
  }
  spaces::Arch arch;
  try {
    arch = space->parse(input.substr(newline + 1));
  } catch (const spaces::ArchError&) {
    return 0;
  }
  fuzz::require(space->is_valid(arch), "parse returns a valid architecture");
  fuzz::require(space->encode(space->decode(arch)) == arch, "encode(decode(arch)) == arch");
  const std::uint64_t hash = space->canonical_hash(arch);
  for (const std::string& format : space->formats()) {
    const std::string text = space->to_string(arch, format);
    const spaces::Arch back = space->parse(text);  // must not throw: the space wrote it
    fuzz::require(space->canonical_hash(back) == hash, "every format parses back to the same function");
    fuzz::require(space->to_string(back, format) == text, "every format writes the same text again");
  }
  return 0;
}
