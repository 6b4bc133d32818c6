#include "sim/report_compare.h"

#include <fmt/format.h>

namespace fathom {

Report compare_reports(const Report& a, const Report& b, const std::string& name_a, const std::string& name_b) {
  Report r;
  r.kind = "compare";
  r.title = fmt::format("{} vs {}", name_a, name_b);
  r.lines = {fmt::format("A: {}", a.title), fmt::format("B: {}", b.title)};
  for (const std::string& w : a.warnings) r.warnings.push_back("A: " + w);
  for (const std::string& w : b.warnings) r.warnings.push_back("B: " + w);
  nlohmann::json rows = nlohmann::json::array();
  for (const MetricSpec& m : a.metrics) {
    const nlohmann::json::json_pointer p(m.path);
    if (!m.headline || !b.data.contains(p) || !b.data.at(p).is_number()) continue;
    const double va = a.metric(m.path), vb = b.metric(m.path);
    rows.push_back({{"metric", m.description},
                    {"path", m.path},
                    {"unit", m.unit},
                    {"a", va},
                    {"b", vb},
                    {"ratio", va != 0 ? vb / va : 0.0},
                    {"a_text", format_quantity(va, m.unit)},
                    {"b_text", format_quantity(vb, m.unit)}});
  }
  r.data = {{"kind", "compare"}, {"a", name_a}, {"b", name_b}, {"comparison", rows}};
  r.tables = {{"comparison",
               "Headline metrics of A and B, and B / A",
               "/comparison",
               {{"metric", "metric", ""}, {"a_text", "A", ""}, {"b_text", "B", ""}, {"ratio", "B / A", "", 1, 3}},
               {{"bar", "metric", "ratio", "", "", "", "B / A"}}}};
  return r;
}

}  // namespace fathom
