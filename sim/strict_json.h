#pragma once
// Strict JSON text reading, and the helpers that keep error lines short and printable.
//
// Contract: parse_strict_json() accepts exactly one JSON value and refuses, with one InputError line
// "<label>: <where>: <what>":
//  - malformed text (where = "line L, column C", plus the JSON path reached) and an empty input;
//  - a key written twice in one object (nlohmann would silently keep the last);
//  - nesting deeper than kMaxJsonDepth (no scenario needs more than a dozen levels; deeper input would
//    only exhaust the stack of whatever walks it);
//  - a number beyond the range of a double (1e400).
// Strings must be valid UTF-8 (nlohmann refuses invalid bytes inside JSON strings).

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "sim/error.h"

namespace fathom {

inline constexpr int kMaxJsonDepth = 64;

// A strict parse failed because the text is not JSON at all (as opposed to JSON that breaks a rule
// above). `--set` uses the difference: text that is not JSON is taken as a plain string.
class JsonSyntaxError : public InputError {
 public:
  using InputError::InputError;
};

// Parse `text`; `label` starts every error line (a file name, or "--set a.b=..."); `path_prefix` is
// the JSON path the text sits at (a --set key), prepended to the paths errors name.
nlohmann::json parse_strict_json(std::string_view text, const std::string& label, const std::string& path_prefix = "");

// Read and strictly parse a file; errors name the file's path.
nlohmann::json read_json_file(const std::filesystem::path& file);

// True when `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text);

// `text` for an error line: invalid UTF-8 bytes and control characters escaped (\xFF, \n), cut to at
// most `max_chars` bytes with "..." appended when cut.
std::string printable(std::string_view text, size_t max_chars = 80);

// A whole error message on one line (printable, up to 2,000 bytes): what the CLI prints after "fathom: error: "
// and what the Python module's InputError carries.
inline std::string error_line(std::string_view text) { return printable(text, 2000); }

// A JSON value for an error line: compact, cut like printable().
std::string brief(const nlohmann::json& value, size_t max_chars = 60);

// Whether `written` is close enough to `known` to be a misspelling of it: edit distance with swaps,
// case ignored, of 1 for names up to 3 characters, 2 up to 5, else 3; or one is the other cut short
// or run on ("--out" / "--output", at least 3 characters shared).
bool is_near_spelling(std::string_view written, std::string_view known);

// Edit distance between two names: inserts, deletes, substitutions and swaps of neighbours, case ignored.
size_t spelling_distance(std::string_view a, std::string_view b);

// The entry of `known` that `written` most likely misspells, or "" when none is near.
std::string closest_spelling(std::string_view written, const std::vector<std::string>& known);

}  // namespace fathom
