#include "reports/formats.h"
#include "reports/table_cells.h"

namespace fathom::reports {
namespace {

// RFC 4180: quote a cell holding a comma, a quote or a line break; double its quotes.
std::string cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string line(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    out += cell(cells[i]);
  }
  return out + "\n";
}

}  // namespace

std::string render_table_csv(const Report& r, const TableSpec& t) {
  std::vector<std::string> header;
  for (const ColumnSpec& c : t.columns) header.push_back(c.key);
  std::string out = line(header);
  for (const auto& cells : detail::table_cells(r, t, true)) out += line(cells);
  return out;
}

std::string render_csv(const Report& r) {
  std::string out;
  for (const TableSpec& t : r.tables) out += "# " + t.name + "\n" + render_table_csv(r, t);
  return out;
}

}  // namespace fathom::reports
