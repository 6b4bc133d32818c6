#include "calib/trace/trace_patterns.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "sim/error.h"
#include "sim/strict_json.h"

namespace fathom::calib {
namespace {

using nlohmann::json;

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
    const std::string where = fmt::format("{}: patterns[{}]", name, i);
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
    try {
      t.regex = std::regex(t.match, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      throw InputError(
          fmt::format("{}.match: \"{}\" is not a regular expression ({})", where, printable(t.match), e.what()));
    }
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
  for (const TracePattern& p : patterns_) {
    if (std::regex_search(name, p.regex)) return &p;
  }
  return nullptr;
}

}  // namespace fathom::calib
