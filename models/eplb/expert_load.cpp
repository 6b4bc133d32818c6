#include "models/eplb/expert_load.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "models/eplb/load_rng.h"
#include "sim/error.h"
#include "sim/strict_json.h"

namespace fathom::models::eplb {

LoadMatrix zipf_loads(const ZipfLoadSpec& spec) {
  if (spec.layers <= 0) throw InputError(fmt::format("layers {}: must be positive", spec.layers));
  if (spec.experts <= 0) throw InputError(fmt::format("experts {}: must be positive", spec.experts));
  if (!std::isfinite(spec.exponent) || spec.exponent < 0) {
    throw InputError(fmt::format("zipf exponent {}: must be finite and >= 0", spec.exponent));
  }
  if (!(spec.tokens_per_layer >= 0) || !std::isfinite(spec.tokens_per_layer)) {
    throw InputError(fmt::format("tokens per layer {}: must be finite and >= 0", spec.tokens_per_layer));
  }
  std::vector<double> share(spec.experts);
  for (int r = 0; r < spec.experts; ++r) share[r] = std::pow(static_cast<double>(r + 1), -spec.exponent);
  const double norm = std::accumulate(share.begin(), share.end(), 0.0);
  LoadRng rng(spec.seed);
  LoadMatrix out;
  for (int l = 0; l < spec.layers; ++l) {
    std::vector<int> rank(spec.experts);  // rank[e]: popularity rank of expert e
    std::iota(rank.begin(), rank.end(), 0);
    for (size_t i = rank.size() - 1; i > 0; --i) std::swap(rank[i], rank[rng.index(i + 1)]);  // Fisher-Yates
    std::vector<double> row(spec.experts);
    for (int e = 0; e < spec.experts; ++e) row[e] = spec.tokens_per_layer * share[rank[e]] / norm;
    out.push_back(std::move(row));
  }
  return out;
}

namespace {

std::vector<std::string> split_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream s(line);
  std::string cell;
  while (std::getline(s, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.push_back("");
  return cells;
}

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

bool parse_number(const std::string& cell, double& v) {
  const std::string t = trim(cell);
  if (t.empty()) return false;
  try {
    size_t used = 0;
    v = std::stod(t, &used);
    return used == t.size();
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

LoadMatrix parse_loads_csv(const std::string& text, const std::string& label) {
  LoadMatrix out;
  std::stringstream in(text);
  std::string line;
  int line_no = 0;
  bool first_content = true;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const std::vector<std::string> cells = split_cells(t);
    std::vector<double> row;
    bool numeric = true;
    for (const auto& c : cells) {
      double v = 0;
      if (!parse_number(c, v)) {
        numeric = false;
        break;
      }
      row.push_back(v);
    }
    if (!numeric) {
      if (first_content) {  // a header row
        first_content = false;
        continue;
      }
      throw InputError(fmt::format("{}: row {}: not a number in \"{}\"", label, line_no, printable(t, 80)));
    }
    first_content = false;
    if (!out.empty() && row.size() != out.front().size()) {
      throw InputError(fmt::format("{}: row {}: {} values, but the first row has {} (ragged CSV)", label, line_no,
                                   row.size(), out.front().size()));
    }
    for (size_t e = 0; e < row.size(); ++e) {
      if (!std::isfinite(row[e]) || row[e] < 0) {
        throw InputError(
            fmt::format("{}: row {}, column {}: load {} must be finite and >= 0", label, line_no, e + 1, row[e]));
      }
    }
    out.push_back(std::move(row));
  }
  if (out.empty()) throw InputError(label + ": no rows of loads");
  return out;
}

LoadMatrix parse_loads_json(const std::string& text, const std::string& label) {
  // Strict (sim/strict_json.h): malformed text, duplicate keys, absurd nesting and 1e400 are input errors.
  nlohmann::json doc = parse_strict_json(text, label);
  // Error lines name the JSON path after the file, list entries by index (docs/architecture.md): "w.json: 1",
  // "w.json: weights.0.3".
  std::string where = label, path;
  if (doc.is_object()) {
    if (!doc.contains("weights")) throw InputError(label + ": expected an array of arrays or a \"weights\" key");
    doc = doc.at("weights");
    where += ": weights";
    path = "weights.";
  }
  if (!doc.is_array() || doc.empty()) throw InputError(where + ": expected a non-empty array of per-layer arrays");
  LoadMatrix out;
  for (size_t l = 0; l < doc.size(); ++l) {
    const auto& row = doc[l];
    const std::string at = fmt::format("{}: {}{}", label, path, l);
    if (!row.is_array() || row.empty()) throw InputError(fmt::format("{}: expected a non-empty array", at));
    std::vector<double> values;
    for (size_t e = 0; e < row.size(); ++e) {
      if (!row[e].is_number()) throw InputError(fmt::format("{}.{}: expected a number", at, e));
      const double v = row[e].get<double>();
      if (!std::isfinite(v) || v < 0) throw InputError(fmt::format("{}.{}: load {} must be >= 0", at, e, v));
      values.push_back(v);
    }
    if (!out.empty() && values.size() != out.front().size()) {
      throw InputError(fmt::format("{}: {} values, but the first row has {}", at, values.size(), out.front().size()));
    }
    out.push_back(std::move(values));
  }
  return out;
}

LoadMatrix read_loads_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open the loads file");
  std::stringstream s;
  s << in.rdbuf();
  const bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  return json ? parse_loads_json(s.str(), path) : parse_loads_csv(s.str(), path);
}

}  // namespace fathom::models::eplb
