#pragma once
// Numbers as text for logs and messages, one way for every folder.

#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace spaces {

// What a number that was not measured holds (a rank correlation of fewer
// than two points, a stage's loss before any training); fixed() writes it
// as "nan".
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// `value` with `digits` digits after the point ("0.7634"); nan and inf as
// the stream writes them.
std::string fixed(double value, int digits);
// `value` in at most `digits` significant digits, no trailing zeros
// ("0.3", "1000", "1e-05"): hyper-parameter values as text (12 digits),
// numbers in log lines (4).
std::string compact(double value, int digits = 12);
// The finite number the whole of `text` spells ("0.5", "1e-3"); nullopt
// for anything else (empty, "0.5x", "nan", "inf").
std::optional<double> parse_number(std::string_view text);

}  // namespace spaces
