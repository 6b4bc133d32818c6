#include "sim/bands.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "sim/error.h"
#include "sim/strict_json.h"

namespace fathom {
namespace {

// "10ms" -> {10, "ms"}; a plain number -> {x, ""}. False when the text does not start with a number.
bool split_quantity(const nlohmann::json& v, double& number, std::string& unit) {
  if (v.is_number()) {
    number = v.get<double>();
    unit.clear();
    return true;
  }
  if (!v.is_string()) return false;
  const std::string s = v.get<std::string>();
  size_t used = 0;
  try {
    number = std::stod(s, &used);
  } catch (const std::exception&) {
    return false;
  }
  unit = s.substr(used);
  return !unit.empty();
}

// A key as one JSON-pointer token (RFC 6901: ~ as ~0, / as ~1): with_value() follows the path back, and a key
// such as a compute rate named "a/b" read as two levels ("key 'b' not found", an internal error).
std::string pointer_token(const std::string& key) {
  std::string out;
  for (const char c : key) out += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
  return out;
}

void walk(const nlohmann::json& node, const std::string& path, const std::string& label,
          std::vector<RangedValue>& out) {
  if (node.is_object()) {
    if (node.contains("value") && node.contains("range")) {
      const nlohmann::json& range = node["range"];
      RangedValue r;
      r.path = path;
      std::string unit_low, unit_high;
      const bool ok = range.is_array() && range.size() == 2 && split_quantity(node["value"], r.point, r.unit) &&
                      split_quantity(range[0], r.low, unit_low) && split_quantity(range[1], r.high, unit_high) &&
                      unit_low == r.unit && unit_high == r.unit;
      if (!ok) {
        throw InputError(fmt::format("{}: {}: a ranged value needs [low, high] in the value's unit, got {} for {}",
                                     label, printable(path, 160), brief(range), brief(node["value"])));
      }
      if (node.contains("source") && node["source"].is_string()) r.source = node["source"].get<std::string>();
      r.integer = node["value"].is_number_integer() && range[0].is_number_integer() && range[1].is_number_integer();
      out.push_back(std::move(r));
      return;
    }
    for (const auto& [key, child] : node.items()) walk(child, path + "/" + pointer_token(key), label, out);
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) walk(node[i], path + "/" + std::to_string(i), label, out);
  }
}

// Uniform in [0, 1) from the generator's top 53 bits.
double u01(std::mt19937_64& g) { return static_cast<double>(g() >> 11) * 0x1.0p-53; }

}  // namespace

std::vector<RangedValue> find_ranges(const nlohmann::json& root, const std::string& label) {
  std::vector<RangedValue> out;
  walk(root, "", label, out);
  return out;
}

nlohmann::json with_value(nlohmann::json root, const RangedValue& r, double x) {
  nlohmann::json& v = root.at(nlohmann::json::json_pointer(r.path)).at("value");
  if (r.integer) {
    v = static_cast<int64_t>(std::llround(x));
  } else {
    v = r.unit.empty() ? nlohmann::json(x) : nlohmann::json(fmt::format("{}{}", x, r.unit));
  }
  return root;
}

std::vector<std::vector<double>> latin_hypercube(const std::vector<RangedValue>& ranges, int n, uint64_t seed) {
  std::vector<std::vector<double>> samples(static_cast<size_t>(std::max(n, 0)), std::vector<double>(ranges.size()));
  std::mt19937_64 g(seed);
  std::vector<int> strata(static_cast<size_t>(std::max(n, 0)));
  for (size_t j = 0; j < ranges.size(); ++j) {
    for (int i = 0; i < n; ++i) strata[static_cast<size_t>(i)] = i;
    for (int i = n - 1; i > 0; --i) {  // Fisher-Yates with fathom's own draw
      std::swap(strata[static_cast<size_t>(i)], strata[static_cast<size_t>(u01(g) * (i + 1))]);
    }
    for (int i = 0; i < n; ++i) {
      const double u = (strata[static_cast<size_t>(i)] + u01(g)) / n;
      samples[static_cast<size_t>(i)][j] = ranges[j].low + u * (ranges[j].high - ranges[j].low);
    }
  }
  return samples;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (rank - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace fathom
