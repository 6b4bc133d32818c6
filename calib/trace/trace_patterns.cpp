#include "calib/trace/trace_patterns.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "sim/error.h"
#include "sim/strict_json.h"

namespace fathom::calib {
namespace {

using nlohmann::json;

#ifndef __GLIBCXX__
#error "trace patterns need libstdc++'s polynomial regex mode (regex_constants::__polynomial)"
#endif
// Breadth-first (Thompson) matching: no backtracking, recursion bounded by the pattern (trace_patterns.h).
constexpr std::regex::flag_type kFlags =
    std::regex::ECMAScript | std::regex::optimize | std::regex_constants::__polynomial;

// The first lookahead (`(?=` or `(?!`) of `match` outside a character class, or "". Lookaheads and back-references
// are the ECMAScript features polynomial mode cannot run in linear time: it refuses back-references itself when
// compiling, and runs a lookahead as a new search from every position it reaches.
std::string lookahead_in(const std::string& match) {
  bool in_class = false;
  for (size_t i = 0; i < match.size(); ++i) {
    if (match[i] == '\\') {
      ++i;  // an escaped character: never a group or a class bracket
    } else if (in_class) {
      in_class = match[i] != ']';
    } else if (match[i] == '[') {
      in_class = true;
    } else if (match.compare(i, 3, "(?=") == 0 || match.compare(i, 3, "(?!") == 0) {
      return match.substr(i, 3);
    }
  }
  return "";
}

std::regex compiled(const std::string& match, const std::string& where) {
  const auto refuse = [&](const std::string& why) {
    return InputError(fmt::format("{}.match: \"{}\" {}", where, printable(match, 80), why));
  };
  if (const std::string la = lookahead_in(match); !la.empty()) {
    throw refuse(
        fmt::format("uses a lookahead ({}), which makes matching quadratic in a kernel name's length; "
                    "match the text itself instead",
                    la));
  }
  try {
    std::regex alone(match, kFlags);  // the pattern as written must be valid on its own (not only when wrapped)
    return std::regex("[\\s\\S]*?(?:" + match + ")", kFlags);
  } catch (const std::regex_error& e) {
    if (e.code() == std::regex_constants::error_complexity) {  // polynomial mode's only use of it
      throw refuse("uses a back-reference (\\1 ...), which cannot be matched in linear time");
    }
    if (e.code() == std::regex_constants::error_space) {
      throw refuse("is too large (libstdc++ compiles at most 100,000 states: fewer or smaller {n} repeats)");
    }
    throw refuse(fmt::format("is not a regular expression ({})", e.what()));
  }
}

std::vector<TracePattern> read_patterns(const std::filesystem::path& file) {
  const std::string name = printable(file.filename().string());
  const json doc = read_json_file(file);
  if (!doc.is_object()) throw InputError(fmt::format("{}: (top level): expected a JSON object", name));
  for (const auto& [key, value] : doc.items()) {
    if (key != "format" && key != "patterns" && key != "notes") {
      throw InputError(fmt::format("{}: {}: unknown key (expected format, patterns, notes)", name, printable(key)));
    }
  }
  if (!doc.contains("format") || doc["format"] != "fathom-trace-patterns/1") {
    throw InputError(fmt::format("{}: format: expected \"fathom-trace-patterns/1\"", name));
  }
  if (!doc.contains("patterns") || !doc["patterns"].is_array()) {
    throw InputError(fmt::format("{}: patterns: expected an array of {{\"match\", \"class\", \"kind\"}}", name));
  }
  std::vector<TracePattern> out;
  const json& patterns = doc["patterns"];
  for (size_t i = 0; i < patterns.size(); ++i) {
    const std::string where = fmt::format("{}: patterns.{}", name, i);
    const json& p = patterns[i];
    if (!p.is_object()) throw InputError(fmt::format("{}: expected an object", where));
    for (const auto& [key, value] : p.items()) {
      if (key != "match" && key != "class" && key != "kind") {
        throw InputError(fmt::format("{}.{}: unknown key (expected match, class, kind)", where, printable(key)));
      }
      if (!value.is_string()) throw InputError(fmt::format("{}.{}: expected a string", where, key));
    }
    for (const char* key : {"match", "class"}) {
      if (!p.contains(key)) throw InputError(fmt::format("{}.{}: missing", where, key));
    }
    TracePattern t;
    t.match = p["match"].get<std::string>();
    t.regex = compiled(t.match, where);
    t.cls = parse_trace_class(p["class"].get<std::string>(), where + ".class");
    t.kind = p.contains("kind") ? p["kind"].get<std::string>() : t.cls.name;
    t.source = where;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

TraceClass parse_trace_class(const std::string& name, const std::string& where) {
  for (const char* c : kCommunicationClasses) {
    if (name == c) return {name, std::nullopt, true};
  }
  if (name == kCopyClass) return {name, std::nullopt, false};
  try {
    return {name, hw::parse_kernel_family(name), false};
  } catch (const std::invalid_argument&) {
    throw InputError(fmt::format(
        "{}: unknown trace class \"{}\" (a kernel family of `fathom list`, or dispatch, combine, collective, memcpy)",
        where, printable(name)));
  }
}

void TracePatterns::read(const std::filesystem::path& file) {
  std::vector<TracePattern> more = read_patterns(file);
  patterns_.insert(patterns_.end(), more.begin(), more.end());
}

void TracePatterns::read_first(const std::filesystem::path& file) {
  std::vector<TracePattern> more = read_patterns(file);
  patterns_.insert(patterns_.begin(), more.begin(), more.end());
}

const TracePattern* TracePatterns::match(const std::string& name) const {
  const bool cut = name.size() > kMatchedNameChars;
  const auto end = cut ? name.begin() + static_cast<std::ptrdiff_t>(kMatchedNameChars) : name.end();
  // One pass from the first character (the pattern's own `[\s\S]*?` finds it anywhere); at a cut, the end of
  // the matched prefix is not the end of the name.
  auto flags = std::regex_constants::match_continuous;
  if (cut) flags |= std::regex_constants::match_not_eol | std::regex_constants::match_not_eow;
  for (const TracePattern& p : patterns_) {
    if (std::regex_search(name.begin(), end, p.regex, flags)) return &p;
  }
  return nullptr;
}

}  // namespace fathom::calib
