#pragma once
// Strict, path-aware reading of one JSON object of a resolved scenario into plain structs.
//
// Contract:
//  - Every getter names the key; a missing required key, a wrong type, a bad unit or a value out of
//    range throws InputError "<file>: <json.path>: <what is wrong>".
//  - A value may be written plainly ("80GB", 132) or with its provenance:
//      {"value": "80GB", "source": "published:H02", "note": "optional text"}
//    and may carry an uncertainty range, {"value": 0.5, "range": [0.3, 1.0], "source": "assumed:..."}:
//    [low, high] numbers around a numeric value (low <= value <= high) or unit strings around a
//    quantity. The range is recorded in the log (ProvenanceEntry::range_text); a run uses the value.
//    Every value read is recorded in the ProvenanceLog (if one is given) with its source; an
//    optional key that is absent records its default as SourceKind::fathom_default.
//  - finish() throws if the object has a key no getter asked for (typos never pass silently), naming
//    the closest key a getter asked about ("unknown key; did you mean context_tokens?") or listing them.
//  - Values pasted into error lines are cut short and made printable (sim/strict_json.h).

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/error.h"
#include "sim/provenance.h"
#include "sim/strict_json.h"
#include "sim/units.h"

namespace fathom {

class SpecReader {
 public:
  // `label` is the file name shown first in errors; `path` the JSON path of `node` ("" = top).
  SpecReader(const nlohmann::json& node, std::string label, std::string path, ProvenanceLog* log = nullptr);

  bool has(std::string_view key) const;
  std::string path_of(std::string_view key) const;
  [[noreturn]] void fail(std::string_view key, std::string_view message) const;
  // A required key is absent: names a misspelling of it written beside it if there is one
  // ("memory.context_token: unknown key; did you mean context_tokens?"), else `what` at the key.
  [[noreturn]] void fail_missing(std::string_view key, std::string_view what) const;

  // Required values.
  template <class Q>
  Q quantity(std::string_view key) const;  // a string with a unit; negative values are rejected
  double number(std::string_view key) const;
  int64_t integer(std::string_view key) const;
  bool boolean(std::string_view key) const;
  std::string text(std::string_view key) const;
  std::string choice(std::string_view key, std::initializer_list<std::string_view> options) const;

  // Optional values: the default is used (and logged as a fathom default, with `why`) when absent.
  // `fallback` is a unit string such as "2GiB", recorded as written.
  template <class Q>
  Q quantity_or(std::string_view key, std::string_view fallback, std::string_view why) const;
  double number_or(std::string_view key, double fallback, std::string_view why) const;
  int64_t integer_or(std::string_view key, int64_t fallback, std::string_view why) const;
  bool boolean_or(std::string_view key, bool fallback, std::string_view why) const;
  std::string text_or(std::string_view key, std::string fallback, std::string_view why) const;
  std::string choice_or(std::string_view key, std::initializer_list<std::string_view> options, std::string fallback,
                        std::string_view why) const;

  // Range checks on values already read (throw with the key's path).
  double positive(std::string_view key, double v) const;
  int64_t at_least(std::string_view key, int64_t v, int64_t minimum) const;
  int64_t at_most(std::string_view key, int64_t v, int64_t maximum) const;
  double fraction(std::string_view key, double v) const;  // 0 <= v <= 1

  SpecReader child(std::string_view key) const;                 // a required nested object
  std::vector<SpecReader> objects(std::string_view key) const;  // a required array of objects
  std::vector<double> numbers(std::string_view key) const;      // a required array of numbers
  const nlohmann::json& raw(std::string_view key) const;        // marks the key read; no checks

  void finish() const;
  // Whether a getter (or raw) has read `key`: for objects checked against an allow-list instead of
  // finish() (HF configs, models/config_keys.h).
  bool was_read(std::string_view key) const { return used_.find(key) != used_.end(); }

  const std::string& label() const { return label_; }
  const std::string& path() const { return path_; }
  const nlohmann::json& node() const { return *node_; }
  ProvenanceLog* log() const { return log_; }

 private:
  // The value of `key` with any {"value","source"} wrapper removed; records provenance.
  const nlohmann::json& value_of(std::string_view key) const;
  void record_default(std::string_view key, const std::string& value_text, std::string_view why) const;
  // Checks a "range" beside `value` and returns it as text ("[lo, hi]").
  std::string checked_range(std::string_view key, const nlohmann::json& value, const nlohmann::json& range) const;

  const nlohmann::json* node_;
  std::string label_;
  std::string path_;
  ProvenanceLog* log_;
  mutable std::set<std::string, std::less<>> used_;
  mutable std::set<std::string, std::less<>> known_;  // every key asked about, present or not
};

template <class Q>
Q SpecReader::quantity(std::string_view key) const {
  const nlohmann::json& v = value_of(key);
  if (!v.is_string()) fail(key, "expected a string with a unit (" + accepted_units<Q>() + ")");
  Q q;
  try {
    q = parse_quantity<Q>(v.get<std::string>());
  } catch (const UnitError& e) {
    fail(key, e.what());
  }
  // No scenario quantity (bytes, seconds, rates, prices, power) is meaningful below zero.
  if (q.value() < 0) fail(key, "cannot be negative");
  return q;
}

template <class Q>
Q SpecReader::quantity_or(std::string_view key, std::string_view fallback, std::string_view why) const {
  if (has(key)) return quantity<Q>(key);
  record_default(key, std::string(fallback), why);
  return parse_quantity<Q>(fallback);
}

}  // namespace fathom
