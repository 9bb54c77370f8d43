#pragma once
// Architecture text as researchers paste it from scripts, logs and Python
// files, reduced to the architecture itself before a space parses it.
// What is removed, outside in, repeatedly until nothing changes:
//   - surrounding whitespace;
//   - a trailing '#' comment (outside quotes), then a trailing ',' or ';';
//   - one pair of matching quotes around the whole: '...', "...", `...`,
//     '''...''', """...""";
//   - an assignment, key or flag before it: `genotype = `, `DARTS_V2=`,
//     `fixed_arc: `, `--arc `, `--fixed_arc=` (a name, possibly dotted or
//     dashed, then '=', ':' or, for a --flag, whitespace);
//   - a module path before Genotype: `genotypes.Genotype(` -> `Genotype(`.
// Nothing inside the architecture is touched; what remains goes to the
// space's own formats, whose errors name the forms they accept.

#include <string>
#include <string_view>

namespace spaces {

std::string strip_pasted_context(std::string_view text);

// What a space's parse reads of pasted text: strip_pasted_context(pasted),
// or, where that is a preset's name (presets.h: any case, '-' for '_',
// the names its code uses), the preset's published text. Every space's
// parse() goes through this, so these forms hold for every space. Throws
// ArchParseError for a preset of a space other than `space_name`.
std::string architecture_text(std::string_view pasted, const std::string& space_name);

// One line naming the text forms every space reads, for parse errors:
// integers separated by spaces or commas (brackets and quotes allowed),
// with an assignment or flag before them.
const std::string& pasted_forms_hint();

}  // namespace spaces
