#include "sim/spec_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "sim/strict_json.h"

namespace fathom {
namespace {

// Largest integer a scenario may write: every integer up to it is exact in a double. Readers bound
// their counts further where products of counts could overflow int64.
constexpr double kMaxInteger = 9e15;

bool is_sourced_value(const nlohmann::json& v) {
  if (!v.is_object() || !v.contains("value") || !v.contains("source")) return false;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it.key() != "value" && it.key() != "source" && it.key() != "note" && it.key() != "range") return false;
  }
  return true;
}

std::string value_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

SpecReader::SpecReader(const nlohmann::json& node, std::string label, std::string path, ProvenanceLog* log)
    : node_(&node), label_(std::move(label)), path_(std::move(path)), log_(log) {
  if (!node.is_object())
    throw InputError(fmt::format("{}: {}: expected a JSON object", label_, path_.empty() ? "(top level)" : path_));
}

bool SpecReader::has(std::string_view key) const {
  known_.emplace(key);
  return node_->contains(std::string(key));
}

void SpecReader::fail_missing(std::string_view key, std::string_view what) const {
  // A key written beside it that is one typo away (one edit, swap or case) is the likelier fault:
  // name that one. Only one edit: objects read without finish() (HF configs) hold many other keys.
  for (auto it = node_->begin(); it != node_->end(); ++it) {
    if (!known_.contains(it.key()) && it.key().size() < 64 && spelling_distance(it.key(), key) <= 1) {
      fail(it.key(), fmt::format("unknown key; did you mean {}?", key));
    }
  }
  fail(key, what);
}

std::string SpecReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void SpecReader::fail(std::string_view key, std::string_view message) const {
  throw InputError(fmt::format("{}: {}: {}", label_, printable(key.empty() ? path_ : path_of(key), 160), message));
}

const nlohmann::json& SpecReader::value_of(std::string_view key) const {
  const std::string k(key);
  known_.insert(k);
  if (!node_->contains(k)) fail_missing(key, "required key is missing");
  used_.insert(k);
  const nlohmann::json& v = (*node_)[k];
  if (!is_sourced_value(v)) {
    if (log_ && !v.is_object() && !v.is_array()) log_->record({path_of(key), value_text(v), Provenance{}});
    return v;
  }
  const nlohmann::json& source = v["source"];
  if (!source.is_string()) fail(key, "\"source\" must be a string such as \"published:H02\"");
  Provenance p;
  try {
    p = Provenance::parse(source.get<std::string>());
  } catch (const std::invalid_argument& e) {
    fail(key, fmt::format("bad source \"{}\": {}", printable(source.get<std::string>()), e.what()));
  }
  std::string range;
  if (v.contains("range")) range = checked_range(key, v["value"], v["range"]);
  if (log_) log_->record({path_of(key), value_text(v["value"]), std::move(p), std::move(range)});
  return v["value"];
}

std::string SpecReader::checked_range(std::string_view key, const nlohmann::json& value,
                                      const nlohmann::json& range) const {
  const bool numbers = range.is_array() && range.size() == 2 && range[0].is_number() && range[1].is_number();
  const bool strings = range.is_array() && range.size() == 2 && range[0].is_string() && range[1].is_string();
  if (!numbers && !strings) {
    fail(key, "\"range\" must be [low, high]: two numbers, or two strings with units");
  }
  if (numbers) {
    const double lo = range[0].get<double>(), hi = range[1].get<double>();
    if (!(lo <= hi)) fail(key, fmt::format("\"range\" [{}, {}] has its low end above its high end", lo, hi));
    if (!value.is_number()) fail(key, "\"range\" is numeric but the value is not a number");
    const double x = value.get<double>();
    if (x < lo || x > hi) fail(key, fmt::format("the value {} lies outside its range [{}, {}]", x, lo, hi));
  } else if (!value.is_string()) {
    fail(key, "\"range\" holds strings but the value is not a string");
  }
  return fmt::format("[{}, {}]", value_text(range[0]), value_text(range[1]));
}

void SpecReader::record_default(std::string_view key, const std::string& text, std::string_view why) const {
  if (log_) log_->record({path_of(key), text, Provenance{SourceKind::fathom_default, std::string(why)}});
}

double SpecReader::number(std::string_view key) const {
  const nlohmann::json& v = value_of(key);
  if (!v.is_number()) fail(key, fmt::format("expected a number, got {}", brief(v)));
  const double d = v.get<double>();
  if (!std::isfinite(d)) fail(key, "expected a finite number");
  return d;
}

int64_t SpecReader::integer(std::string_view key) const {
  const nlohmann::json& v = value_of(key);
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() <= static_cast<uint64_t>(kMaxInteger)) return static_cast<int64_t>(v.get<uint64_t>());
    fail(key, fmt::format("{} is out of range (at most {:.0e})", brief(v), kMaxInteger));
  }
  if (v.is_number_integer()) {
    const int64_t i = v.get<int64_t>();
    if (std::fabs(static_cast<double>(i)) <= kMaxInteger) return i;
    fail(key, fmt::format("{} is out of range (at most {:.0e} in size)", i, kMaxInteger));
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::floor(d) == d && std::fabs(d) <= kMaxInteger) return static_cast<int64_t>(d);
    if (std::floor(d) == d)
      fail(key, fmt::format("{} is out of range (at most {:.0e} in size)", brief(v), kMaxInteger));
  }
  fail(key, fmt::format("expected an integer, got {}", brief(v)));
}

bool SpecReader::boolean(std::string_view key) const {
  const nlohmann::json& v = value_of(key);
  if (!v.is_boolean()) fail(key, fmt::format("expected true or false, got {}", brief(v)));
  return v.get<bool>();
}

std::string SpecReader::text(std::string_view key) const {
  const nlohmann::json& v = value_of(key);
  if (!v.is_string()) fail(key, fmt::format("expected a string, got {}", brief(v)));
  return v.get<std::string>();
}

std::string SpecReader::choice(std::string_view key, std::initializer_list<std::string_view> options) const {
  const std::string v = text(key);
  std::string list;
  std::vector<std::string> names;
  for (const auto o : options) {
    if (o == v) return v;
    list += (list.empty() ? "" : ", ") + std::string(o);
    names.emplace_back(o);
  }
  const std::string near = closest_spelling(v, names);
  fail(key, fmt::format("\"{}\" is not one of: {}{}", printable(v), list,
                        near.empty() ? "" : fmt::format("; did you mean {}?", near)));
}

double SpecReader::number_or(std::string_view key, double fallback, std::string_view why) const {
  if (has(key)) return number(key);
  record_default(key, fmt::format("{}", fallback), why);
  return fallback;
}

int64_t SpecReader::integer_or(std::string_view key, int64_t fallback, std::string_view why) const {
  if (has(key)) return integer(key);
  record_default(key, std::to_string(fallback), why);
  return fallback;
}

bool SpecReader::boolean_or(std::string_view key, bool fallback, std::string_view why) const {
  if (has(key)) return boolean(key);
  record_default(key, fallback ? "true" : "false", why);
  return fallback;
}

std::string SpecReader::text_or(std::string_view key, std::string fallback, std::string_view why) const {
  if (has(key)) return text(key);
  record_default(key, fallback, why);
  return fallback;
}

std::string SpecReader::choice_or(std::string_view key, std::initializer_list<std::string_view> options,
                                  std::string fallback, std::string_view why) const {
  if (has(key)) return choice(key, options);
  record_default(key, fallback, why);
  return fallback;
}

double SpecReader::positive(std::string_view key, double v) const {
  if (!(v > 0.0)) fail(key, fmt::format("must be positive, got {}", v));
  return v;
}

int64_t SpecReader::at_least(std::string_view key, int64_t v, int64_t minimum) const {
  if (v < minimum) fail(key, fmt::format("must be at least {}, got {}", minimum, v));
  return v;
}

int64_t SpecReader::at_most(std::string_view key, int64_t v, int64_t maximum) const {
  if (v > maximum) fail(key, fmt::format("must be at most {}, got {}", maximum, v));
  return v;
}

double SpecReader::fraction(std::string_view key, double v) const {
  if (!(v >= 0.0 && v <= 1.0)) fail(key, fmt::format("must be between 0 and 1, got {}", v));
  return v;
}

SpecReader SpecReader::child(std::string_view key) const {
  const std::string k(key);
  known_.insert(k);
  if (!node_->contains(k)) fail_missing(key, "required section is missing");
  used_.insert(k);
  const nlohmann::json& v = (*node_)[k];
  if (!v.is_object()) fail(key, fmt::format("expected an object, got {}", brief(v)));
  return SpecReader(v, label_, path_of(key), log_);
}

std::vector<SpecReader> SpecReader::objects(std::string_view key) const {
  const nlohmann::json& v = raw(key);
  if (!v.is_array()) fail(key, "expected a list of objects");
  std::vector<SpecReader> out;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string p = path_of(key) + "." + std::to_string(i);
    if (!v[i].is_object()) throw InputError(fmt::format("{}: {}: expected an object", label_, p));
    out.emplace_back(v[i], label_, p, log_);
  }
  return out;
}

std::vector<double> SpecReader::numbers(std::string_view key) const {
  const nlohmann::json& v = value_of(key);
  if (!v.is_array()) fail(key, "expected a list of numbers");
  std::vector<double> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_number()) fail(key, fmt::format("entry {} is not a number: {}", i, brief(v[i])));
    out.push_back(v[i].get<double>());
  }
  return out;
}

const nlohmann::json& SpecReader::raw(std::string_view key) const {
  const std::string k(key);
  known_.insert(k);
  if (!node_->contains(k)) fail_missing(key, "required key is missing");
  used_.insert(k);
  return (*node_)[k];
}

void SpecReader::finish() const {
  for (auto it = node_->begin(); it != node_->end(); ++it) {
    if (used_.contains(it.key())) continue;
    const std::vector<std::string> known(known_.begin(), known_.end());
    const std::string near = closest_spelling(it.key(), known);
    if (!near.empty()) fail(it.key(), fmt::format("unknown key; did you mean {}?", near));
    std::string list;
    for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
    fail(it.key(), known.empty() ? std::string("unknown key: nothing is expected here (see docs/scenarios.md)")
                                 : fmt::format("unknown key; expected here: {}", printable(list, 200)));
  }
}

}  // namespace fathom
