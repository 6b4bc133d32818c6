#include "reports/formats.h"

#include <fmt/format.h>

#include <cmath>

namespace fathom::reports {

const Registry<Renderer>& format_registry() {
  static const Registry<Renderer> registry(
      "format",
      {
          {"text", "readable text: headline metrics, tables, assumptions", &render_text},
          {"json", "one JSON object: the result tree (the --json contract)", &render_json},
          {"markdown", "a Markdown summary page: metrics and tables", &render_markdown},
          {"csv", "every table as CSV, each under a '# <name>' line", &render_csv},
          {"html", "one self-contained page with Vega-Lite charts of the tables", &render_html},
          {"trace", "the run's timeline as Chrome-trace JSON (Perfetto); kinds with a timeline only", &render_trace},
      });
  return registry;
}

std::string render(const Report& report, std::string_view format, std::string_view where) {
  return format_registry().get(format, where).make(report);
}

}  // namespace fathom::reports
