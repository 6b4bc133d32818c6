#include <fmt/format.h>

#include "reports/formats.h"
#include "reports/table_cells.h"

namespace fathom::reports {
namespace {

std::string row(const std::vector<std::string>& cells) {
  std::string out = "|";
  for (const std::string& c : cells) out += " " + c + " |";
  return out + "\n";
}

}  // namespace

std::string render_markdown(const Report& r) {
  std::string out = "# " + r.title + "\n\n";
  for (const std::string& w : r.warnings) out += "> **Warning:** " + w + "\n\n";
  for (const std::string& line : r.lines) out += line + "  \n";
  out += "\n| metric | value | key |\n|---|---|---|\n";
  for (const MetricSpec& m : r.metrics) {
    out += fmt::format("| {} | {} | `{}` |\n", m.description, format_quantity(r.metric(m.path), m.unit), m.path);
  }
  for (const TableSpec& t : r.tables) {
    if (!t.listed) continue;
    const std::vector<std::string> headers = detail::table_headers(t);
    out += "\n## " + t.title + "\n\n" + row(headers) + row(std::vector<std::string>(headers.size(), "---"));
    for (const auto& cells : detail::table_cells(r, t, false)) out += row(cells);
  }
  std::string folds;
  for (const nlohmann::json& f : r.data.value("folds", nlohmann::json::array())) {
    if (f.is_string()) folds += "- " + f.get<std::string>() + "\n";
  }
  if (!folds.empty()) out += "\n## Folds\n\n" + folds;
  const nlohmann::json& assumed = r.data.value("assumptions", nlohmann::json::array());
  if (!assumed.empty()) {
    out += "\n## Assumed and default values\n\n| path | value | source |\n|---|---|---|\n";
    for (const nlohmann::json& a : assumed) {
      out += fmt::format("| `{}` | {} | {} |\n", a["path"].get<std::string>(), a["value"].get<std::string>(),
                         a["source"].get<std::string>());
    }
  }
  return out;
}

}  // namespace fathom::reports
