#pragma once
// Two runs side by side (`fathom compare`): every headline metric of the first report that the second has
// too, with both values and their ratio — what-ifs without a spreadsheet.

#include <string>

#include "sim/report.h"

namespace fathom {

// A Report (kind "compare") whose table `comparison` has, per shared headline metric: `metric` (its
// description), `path`, `unit`, `a`, `b`, `ratio` (b / a; 0 when a is 0) and their display texts.
Report compare_reports(const Report& a, const Report& b, const std::string& name_a, const std::string& name_b);

}  // namespace fathom
