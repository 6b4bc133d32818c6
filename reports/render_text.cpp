#include <fmt/format.h>

#include <string>
#include <vector>

#include "reports/formats.h"
#include "reports/table_cells.h"
#include "reports/text_table.h"

namespace fathom::reports {

std::string render_text(const Report& r) {
  // Sections (warnings, lines, metrics, each table, assumptions), one blank line between them.
  std::vector<std::string> sections;
  std::string block;
  for (const std::string& w : r.warnings) block += "WARNING: " + w + "\n";
  sections.push_back(block);
  block.clear();
  for (const std::string& line : r.lines) block += line + "\n";
  sections.push_back(block);
  block.clear();
  size_t width = 0;
  for (const MetricSpec& m : r.metrics) {
    if (m.headline) width = std::max(width, m.description.size());
  }
  for (const MetricSpec& m : r.metrics) {
    if (m.headline)
      block += fmt::format("{:<{}}  {}\n", m.description, width, format_quantity(r.metric(m.path), m.unit));
  }
  sections.push_back(block);
  for (const TableSpec& t : r.tables) {
    if (!t.listed) continue;
    TextTable table(detail::table_headers(t));
    for (auto& row : detail::table_cells(r, t, false)) table.add_row(std::move(row));
    sections.push_back(t.title + "\n" + table.render());
  }
  block.clear();
  for (const nlohmann::json& f : r.data.value("folds", nlohmann::json::array())) {
    if (f.is_string()) block += "  " + f.get<std::string>() + "\n";
  }
  if (!block.empty()) sections.push_back("Folds:\n" + block);
  block.clear();
  for (const nlohmann::json& a : r.data.value("assumptions", nlohmann::json::array())) {
    const std::string range = a.contains("range") ? " in " + a["range"].get<std::string>() : "";
    block += fmt::format("  {} = {}{}  ({})\n", a["path"].get<std::string>(), a["value"].get<std::string>(), range,
                         a["source"].get<std::string>());
  }
  if (!block.empty()) sections.push_back("Assumed and default values:\n" + block);
  std::string out = r.title + "\n";
  for (const std::string& s : sections) {
    if (!s.empty()) out += "\n" + s;
  }
  return out;
}

}  // namespace fathom::reports
