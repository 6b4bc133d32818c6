#pragma once
// Internal to reports/: the cells of a report table as strings, shared by the text, Markdown and CSV
// renderers.

#include <string>
#include <vector>

#include "sim/report.h"

namespace fathom::reports::detail {

// The rows of `table` (its JSON array in report.data), each cell scaled and formatted per its column;
// `plain` leaves numbers unrounded and unscaled (CSV).
std::vector<std::vector<std::string>> table_cells(const Report& report, const TableSpec& table, bool plain);

// Column headers with their units, e.g. "time (ms)".
std::vector<std::string> table_headers(const TableSpec& table);

}  // namespace fathom::reports::detail
