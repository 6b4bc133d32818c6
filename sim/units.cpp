#include "sim/units.h"

#include <fmt/format.h>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>
#include <vector>

#include "sim/strict_json.h"

namespace fathom {
namespace {

struct UnitFactor {
  std::string_view suffix;
  double factor;  // multiply the number by this to get the SI base unit
};

// Unit tables: the single source of truth for every unit fathom accepts.
const std::vector<UnitFactor>& table(BytesTag) {
  static const std::vector<UnitFactor> t = {{"B", 1.0},
                                            {"KB", 1e3},
                                            {"MB", 1e6},
                                            {"GB", 1e9},
                                            {"TB", 1e12},
                                            {"PB", 1e15},
                                            {"KiB", 1024.0},
                                            {"MiB", 1048576.0},
                                            {"GiB", 1073741824.0},
                                            {"TiB", 1099511627776.0},
                                            {"PiB", 1125899906842624.0}};
  return t;
}
const std::vector<UnitFactor>& table(SecondsTag) {
  static const std::vector<UnitFactor> t = {{"s", 1.0},   {"ms", 1e-3},  {"us", 1e-6},  {"µs", 1e-6},  {"μs", 1e-6},
                                            {"ns", 1e-9}, {"min", 60.0}, {"h", 3600.0}, {"d", 86400.0}};
  return t;
}
const std::vector<UnitFactor>& table(FlopsTag) {
  static const std::vector<UnitFactor> t = {{"FLOP", 1.0},   {"KFLOP", 1e3},  {"MFLOP", 1e6}, {"GFLOP", 1e9},
                                            {"TFLOP", 1e12}, {"PFLOP", 1e15}, {"EFLOP", 1e18}};
  return t;
}
const std::vector<UnitFactor>& table(FlopsPerSecondTag) {
  static const std::vector<UnitFactor> t = {{"FLOPS", 1.0},  {"GFLOPS", 1e9},  {"TFLOPS", 1e12},  {"PFLOPS", 1e15},
                                            {"FLOP/s", 1.0}, {"GFLOP/s", 1e9}, {"TFLOP/s", 1e12}, {"PFLOP/s", 1e15}};
  return t;
}
const std::vector<UnitFactor>& table(BytesPerSecondTag) {
  static const std::vector<UnitFactor> t = {
      {"B/s", 1.0},      {"KB/s", 1e3},        {"MB/s", 1e6},           {"GB/s", 1e9},  {"TB/s", 1e12},
      {"KiB/s", 1024.0}, {"MiB/s", 1048576.0}, {"GiB/s", 1073741824.0}, {"Bps", 1.0},   {"KBps", 1e3},
      {"MBps", 1e6},     {"GBps", 1e9},        {"TBps", 1e12},          {"bps", 0.125}, {"Kbps", 1e3 / 8},
      {"Mbps", 1e6 / 8}, {"Gbps", 1e9 / 8},    {"Tbps", 1e12 / 8},      {"b/s", 0.125}, {"Kb/s", 1e3 / 8},
      {"Mb/s", 1e6 / 8}, {"Gb/s", 1e9 / 8},    {"Tb/s", 1e12 / 8}};
  return t;
}
const std::vector<UnitFactor>& table(HertzTag) {
  static const std::vector<UnitFactor> t = {{"Hz", 1.0}, {"kHz", 1e3}, {"MHz", 1e6}, {"GHz", 1e9}};
  return t;
}
const std::vector<UnitFactor>& table(UsdTag) {
  static const std::vector<UnitFactor> t = {{"USD", 1.0}, {"kUSD", 1e3}, {"MUSD", 1e6}};
  return t;
}
const std::vector<UnitFactor>& table(UsdPerHourTag) {
  static const std::vector<UnitFactor> t = {{"USD/h", 1.0}, {"USD/hour", 1.0}};
  return t;
}
const std::vector<UnitFactor>& table(UsdPerTokenTag) {
  static const std::vector<UnitFactor> t = {{"USD/Mtok", 1e-6}, {"USD/ktok", 1e-3}, {"USD/tok", 1.0}};
  return t;
}
const std::vector<UnitFactor>& table(WattsTag) {
  static const std::vector<UnitFactor> t = {{"W", 1.0}, {"kW", 1e3}, {"MW", 1e6}};
  return t;
}

template <class Tag>
std::string list_units() {
  std::string out;
  for (const auto& u : table(Tag{})) {
    if (!out.empty()) out += ", ";
    out += u.suffix;
  }
  return out;
}

template <class Tag>
Quantity<Tag> parse(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  double number = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), number);
  if (ec == std::errc::result_out_of_range) {
    throw UnitError(fmt::format("the number in \"{}\" is out of range", printable(text, 60)));
  }
  if (ec != std::errc() || end == s.data()) {
    throw UnitError(
        fmt::format("expected a number with a unit ({}), got \"{}\"", list_units<Tag>(), printable(text, 60)));
  }
  std::string_view suffix(end, static_cast<size_t>(s.data() + s.size() - end));
  if (!suffix.empty() && suffix.front() == ' ') suffix.remove_prefix(1);
  if (suffix.empty()) {
    throw UnitError(fmt::format("\"{}\" has no unit; use one of: {}", printable(text, 60), list_units<Tag>()));
  }
  for (const auto& u : table(Tag{})) {
    if (u.suffix == suffix) {
      const double value = number * u.factor;
      if (!std::isfinite(number) || !std::isfinite(value)) {
        throw UnitError(fmt::format("\"{}\" is not a finite number", printable(text, 60)));
      }
      return Quantity<Tag>(value);
    }
  }
  // A unit that differs only in case from exactly one accepted unit is named ("80gib": GiB); where the
  // case carries meaning (Gbps vs GBps) several match and none is guessed.
  std::string_view guess;
  int matches = 0;
  for (const auto& u : table(Tag{})) {
    const bool same =
        u.suffix.size() == suffix.size() &&
        std::equal(u.suffix.begin(), u.suffix.end(), suffix.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        });
    if (same) guess = u.suffix, ++matches;
  }
  throw UnitError(fmt::format("unknown unit \"{}\" in \"{}\"{}; use one of: {}", printable(suffix, 20),
                              printable(text, 60), matches == 1 ? fmt::format(" (did you mean {}?)", guess) : "",
                              list_units<Tag>()));
}

std::string with_prefix(double v, std::string_view unit) {
  static constexpr std::array<std::pair<double, std::string_view>, 6> kPrefixes = {
      {{1e18, "E"}, {1e15, "P"}, {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "K"}}};
  for (const auto& [scale, prefix] : kPrefixes) {
    if (std::fabs(v) >= scale) return fmt::format("{:.4g} {}{}", v / scale, prefix, unit);
  }
  return fmt::format("{:.4g} {}", v, unit);
}

}  // namespace

#define FATHOM_QUANTITY_PARSER(Tag)                                    \
  template <>                                                          \
  Quantity<Tag> parse_quantity<Quantity<Tag>>(std::string_view text) { \
    return parse<Tag>(text);                                           \
  }                                                                    \
  template <>                                                          \
  std::string accepted_units<Quantity<Tag>>() {                        \
    return list_units<Tag>();                                          \
  }

FATHOM_QUANTITY_PARSER(BytesTag)
FATHOM_QUANTITY_PARSER(SecondsTag)
FATHOM_QUANTITY_PARSER(FlopsTag)
FATHOM_QUANTITY_PARSER(FlopsPerSecondTag)
FATHOM_QUANTITY_PARSER(BytesPerSecondTag)
FATHOM_QUANTITY_PARSER(HertzTag)
FATHOM_QUANTITY_PARSER(UsdTag)
FATHOM_QUANTITY_PARSER(UsdPerHourTag)
FATHOM_QUANTITY_PARSER(WattsTag)
FATHOM_QUANTITY_PARSER(UsdPerTokenTag)
#undef FATHOM_QUANTITY_PARSER

std::string format_bytes(Bytes b) { return with_prefix(b.value(), "B"); }

std::string format_seconds(Seconds s) {
  const double v = s.value();
  if (std::fabs(v) >= 1.0 || v == 0.0) return fmt::format("{:.4g} s", v);
  if (std::fabs(v) >= 1e-3) return fmt::format("{:.4g} ms", v * 1e3);
  if (std::fabs(v) >= 1e-6) return fmt::format("{:.4g} us", v * 1e6);
  return fmt::format("{:.4g} ns", v * 1e9);
}

std::string format_rate(FlopsPerSecond r) { return with_prefix(r.value(), "FLOP/s"); }

}  // namespace fathom
