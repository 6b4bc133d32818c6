#include "sim/report.h"

#include <fmt/format.h>

#include <algorithm>
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

// Whether every row of `rows` holds `key` as a number (`number`) or a number or string.
bool rows_hold(const nlohmann::json& rows, const std::string& key, bool number, bool null_ok = false) {
  for (const nlohmann::json& row : rows) {
    if (!row.is_object() || !row.contains(key)) return false;
    if (null_ok && row[key].is_null()) continue;
    if (number ? !row[key].is_number() : !(row[key].is_number() || row[key].is_string())) return false;
  }
  return true;
}

void check_chart(const Report& r, const TableSpec& t, const ChartSpec& c, const nlohmann::json& rows) {
  const auto need = [&](const std::string& key, bool number) {
    if (!rows_hold(rows, key, number, /*null_ok=*/true)) {  // a null is a bar not drawn
      throw std::logic_error(fmt::format("{} report: table {}: {} chart field \"{}\" is not a {} in every row", r.kind,
                                         t.name, c.kind, key, number ? "number" : "value"));
    }
  };
  if (c.kind == "bar") {
    need(c.category, false), need(c.value, true);
  } else if (c.kind == "interval") {
    need(c.category, false), need(c.value, true), need(c.low, true), need(c.high, true);
  } else if (c.kind == "line") {
    need(c.category, true);
    if (!c.category_end.empty()) need(c.category_end, true);
    if (c.series.empty()) throw std::logic_error(r.kind + " report: table " + t.name + ": a line chart without series");
    for (const std::string& s : c.series) need(s, true);
  } else if (c.kind == "gantt") {
    need(c.category, false), need(c.low, true), need(c.high, true);
  } else if (c.kind == "scatter") {
    need(c.category, true), need(c.value, true);
  } else {
    throw std::logic_error(r.kind + " report: table " + t.name + ": unknown chart kind \"" + c.kind + "\"");
  }
  if (!c.color.empty()) need(c.color, false);
}

}  // namespace

ChartSpec line_chart(std::string title, std::string x, std::string x_end, std::string x_title,
                     std::vector<std::string> series, std::string value_title) {
  ChartSpec c;
  c.kind = "line";
  c.title = std::move(title);
  c.category = std::move(x);
  c.category_end = std::move(x_end);
  c.category_title = std::move(x_title);
  c.series = std::move(series);
  c.value_title = std::move(value_title);
  return c;
}

ChartSpec gantt_chart(std::string title, std::string lane, std::string start, std::string end, std::string color,
                      std::string time_title) {
  ChartSpec c;
  c.kind = "gantt";
  c.title = std::move(title);
  c.category = std::move(lane);
  c.low = std::move(start);
  c.high = std::move(end);
  c.color = std::move(color);
  c.value_title = std::move(time_title);
  return c;
}

ChartSpec scatter_chart(std::string title, std::string x, std::string x_title, std::string y, std::string y_title,
                        std::string label) {
  ChartSpec c;
  c.kind = "scatter";
  c.title = std::move(title);
  c.category = std::move(x);
  c.category_title = std::move(x_title);
  c.value = std::move(y);
  c.value_title = std::move(y_title);
  c.color = std::move(label);
  return c;
}

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
        if (!row.is_object() || !row.contains(c.key) ||
            !(row[c.key].is_number() || row[c.key].is_string() || row[c.key].is_null())) {
          throw std::logic_error(r.kind + " report: table " + t.name + " row lacks column " + c.key);
        }
      }
    }
    for (const ChartSpec& c : t.charts) check_chart(r, t, c, r.data.at(p));
  }
  if (r.timeline.empty()) return;
  const auto timeline =
      std::find_if(r.tables.begin(), r.tables.end(), [&](const TableSpec& t) { return t.name == r.timeline; });
  if (timeline == r.tables.end()) throw std::logic_error(r.kind + " report: no timeline table " + r.timeline);
  const nlohmann::json& rows = r.data.at(nlohmann::json::json_pointer(timeline->path));
  for (const char* key : {"process", "thread", "start_s", "end_s"}) {
    if (!rows_hold(rows, key, true)) throw std::logic_error(r.kind + " report: timeline rows lack " + key);
  }
  for (const char* key : {"process_name", "thread_name", "name", "category"}) {
    if (!rows_hold(rows, key, false)) throw std::logic_error(r.kind + " report: timeline rows lack " + key);
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
