#pragma once
// `--report DIR`: a Report as the files people share — report.json, one <table>.csv per table, summary.md
// and a self-contained report.html (reports/formats.h renders each), and trace.json where the report has a
// timeline.

#include <filesystem>

#include "sim/report.h"

namespace fathom::reports {

// Creates `dir` if needed and writes the files; InputError "--report <dir>: ..." when it cannot.
void write_report_dir(const Report& report, const std::filesystem::path& dir);

}  // namespace fathom::reports
