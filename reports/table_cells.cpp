#include "reports/table_cells.h"

#include <fmt/format.h>

namespace fathom::reports::detail {

std::vector<std::vector<std::string>> table_cells(const Report& report, const TableSpec& table, bool plain) {
  std::vector<std::vector<std::string>> rows;
  for (const nlohmann::json& row : report.data.at(nlohmann::json::json_pointer(table.path))) {
    std::vector<std::string> cells;
    for (const ColumnSpec& c : table.columns) {
      const nlohmann::json& v = row.at(c.key);
      if (v.is_string()) {
        cells.push_back(v.get<std::string>());
      } else if (v.is_null()) {  // a value that does not exist (e.g. a ratio to 0): blank in CSV, n/a in text
        cells.push_back(plain ? "" : "n/a");
      } else if (plain) {
        cells.push_back(v.dump());
      } else {
        const double x = v.get<double>() * c.scale;
        cells.push_back(c.decimals >= 0 ? fmt::format("{:.{}f}", x, c.decimals) : fmt::format("{:.4g}", x));
      }
    }
    rows.push_back(std::move(cells));
  }
  return rows;
}

std::vector<std::string> table_headers(const TableSpec& table) {
  std::vector<std::string> out;
  for (const ColumnSpec& c : table.columns) out.push_back(c.unit.empty() ? c.header : c.header + " " + c.unit);
  return out;
}

}  // namespace fathom::reports::detail
