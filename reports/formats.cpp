#include "reports/formats.h"

#include <fmt/format.h>

#include <cmath>

namespace fathom::reports {

const Registry<Renderer>& format_registry() {
  static const Registry<Renderer> registry(
      "format", {
                    {"text", "readable text: headline metrics, tables, assumptions", &render_text},
                    {"json", "one JSON object: the result tree (the --json contract)", &render_json},
                    {"markdown", "a Markdown summary page: metrics and tables", &render_markdown},
                    {"csv", "every table as CSV, each under a '# <name>' line", &render_csv},
                });
  return registry;
}

std::string render(const Report& report, std::string_view format, std::string_view where) {
  return format_registry().get(format, where).make(report);
}

namespace {

// 21506.4 -> "21,506": whole numbers with thousands separators.
std::string grouped(double v) {
  const std::string digits = fmt::format("{:.0f}", std::fabs(v));
  std::string out = v < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

std::string format_quantity(double v, std::string_view unit) {
  if (unit == "s" && std::fabs(v) < 1e-3 && v != 0) return fmt::format("{:.4g} us", v * 1e6);
  if (unit == "s" && std::fabs(v) < 1) return fmt::format("{:.4g} ms", v * 1e3);
  if (unit == "B" && std::fabs(v) >= (1 << 30)) return fmt::format("{:.4g} GiB", v / (1 << 30));
  if (unit == "B" && std::fabs(v) >= (1 << 20)) return fmt::format("{:.4g} MiB", v / (1 << 20));
  const std::string number = std::fabs(v) >= 1e4 && std::fabs(v) < 1e15 ? grouped(v) : fmt::format("{:.4g}", v);
  return unit.empty() ? number : number + " " + std::string(unit);
}

}  // namespace fathom::reports
