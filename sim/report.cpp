#include "sim/report.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace fathom {
namespace {

// 21506.4 -> "21,506": whole numbers with thousands separators.
std::string grouped(double v) {
  const std::string digits = fmt::format("{:.0f}", std::fabs(v));
  std::string out = v < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

std::string format_quantity(double v, std::string_view unit) {
  if (unit == "s" && std::fabs(v) < 1e-3 && v != 0) return fmt::format("{:.4g} us", v * 1e6);
  if (unit == "s" && std::fabs(v) < 1) return fmt::format("{:.4g} ms", v * 1e3);
  if (unit == "B" && std::fabs(v) >= (1 << 30)) return fmt::format("{:.4g} GiB", v / (1 << 30));
  if (unit == "B" && std::fabs(v) >= (1 << 20)) return fmt::format("{:.4g} MiB", v / (1 << 20));
  if (unit == "B/s" && std::fabs(v) >= 1e12) return fmt::format("{:.4g} TB/s", v / 1e12);
  if (unit == "B/s" && std::fabs(v) >= 1e9) return fmt::format("{:.4g} GB/s", v / 1e9);
  const std::string number = std::fabs(v) >= 1e4 && std::fabs(v) < 1e15 ? grouped(v) : fmt::format("{:.4g}", v);
  return unit.empty() ? number : number + " " + std::string(unit);
}

double Report::metric(std::string_view path) const {
  const nlohmann::json::json_pointer p{std::string(path)};
  if (!data.contains(p) || !data.at(p).is_number()) {
    throw std::out_of_range("report has no number at " + std::string(path));
  }
  return data.at(p).get<double>();
}

void check_report(const Report& r) {
  for (const MetricSpec& m : r.metrics) {
    const nlohmann::json::json_pointer p{m.path};
    if (!r.data.contains(p) || !r.data.at(p).is_number()) {
      throw std::logic_error(r.kind + " report: metric " + m.path + " is not a number in the data");
    }
  }
  for (const TableSpec& t : r.tables) {
    const nlohmann::json::json_pointer p{t.path};
    if (!r.data.contains(p) || !r.data.at(p).is_array()) {
      throw std::logic_error(r.kind + " report: table " + t.name + " at " + t.path + " is not an array");
    }
    for (const nlohmann::json& row : r.data.at(p)) {
      for (const ColumnSpec& c : t.columns) {
        if (!row.is_object() || !row.contains(c.key) || !(row[c.key].is_number() || row[c.key].is_string())) {
          throw std::logic_error(r.kind + " report: table " + t.name + " row lacks column " + c.key);
        }
      }
    }
  }
}

nlohmann::json assumptions_json(const ProvenanceLog& log) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : log.assumptions()) {
    nlohmann::json entry = {{"path", e.json_path}, {"value", e.value_text}, {"source", e.source.to_string()}};
    if (!e.range_text.empty()) entry["range"] = e.range_text;
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace fathom
