#include <fmt/format.h>

#include "reports/formats.h"
#include "reports/table_cells.h"
#include "reports/text_table.h"

namespace fathom::reports {

std::string render_text(const Report& r) {
  std::string out = r.title + "\n\n";
  for (const std::string& w : r.warnings) out += "WARNING: " + w + "\n";
  if (!r.warnings.empty()) out += "\n";
  for (const std::string& line : r.lines) out += line + "\n";
  if (!r.lines.empty()) out += "\n";
  size_t width = 0;
  for (const MetricSpec& m : r.metrics) {
    if (m.headline) width = std::max(width, m.description.size());
  }
  for (const MetricSpec& m : r.metrics) {
    if (m.headline) out += fmt::format("{:<{}}  {}\n", m.description, width, format_quantity(r.metric(m.path), m.unit));
  }
  for (const TableSpec& t : r.tables) {
    TextTable table(detail::table_headers(t));
    for (auto& row : detail::table_cells(r, t, false)) table.add_row(std::move(row));
    out += "\n" + t.title + "\n" + table.render();
  }
  const nlohmann::json& assumed = r.data.value("assumptions", nlohmann::json::array());
  if (!assumed.empty()) {
    out += "\nAssumed and default values:\n";
    for (const nlohmann::json& a : assumed) {
      const std::string range = a.contains("range") ? " in " + a["range"].get<std::string>() : "";
      out += fmt::format("  {} = {}{}  ({})\n", a["path"].get<std::string>(), a["value"].get<std::string>(), range,
                         a["source"].get<std::string>());
    }
  }
  return out;
}

}  // namespace fathom::reports
