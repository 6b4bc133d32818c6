#include "reports/report_dir.h"

#include <fmt/format.h>

#include <fstream>
#include <system_error>

#include "reports/formats.h"
#include "sim/error.h"

namespace fathom::reports {
namespace {

void write(const std::filesystem::path& dir, const std::string& name, const std::string& text) {
  std::ofstream out(dir / name);
  out << text;
  if (!out) throw InputError(fmt::format("--report {}: cannot write {}", dir.string(), name));
}

}  // namespace

void write_report_dir(const Report& report, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    throw InputError(fmt::format("--report {}: cannot create the directory ({})", dir.string(),
                                 ec ? ec.message() : "a file of that name exists"));
  }
  write(dir, "report.json", render_json(report));
  for (const TableSpec& t : report.tables) write(dir, t.name + ".csv", render_table_csv(report, t));
  write(dir, "summary.md", render_markdown(report));
  write(dir, "report.html", render_html(report));
  if (!report.timeline.empty()) write(dir, "trace.json", render_trace(report));
}

}  // namespace fathom::reports
