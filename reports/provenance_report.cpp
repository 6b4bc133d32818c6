#include "reports/provenance_report.h"

#include <fmt/format.h>

#include "sim/report.h"

namespace fathom::reports {

nlohmann::json assumptions_json(const ProvenanceLog& log) { return fathom::assumptions_json(log); }

std::string assumptions_text(const ProvenanceLog& log) {
  std::string out;
  for (const auto& e : log.assumptions()) {
    const std::string range = e.range_text.empty() ? "" : " in " + e.range_text;
    out += fmt::format("  {} = {}{}  ({})\n", e.json_path, e.value_text, range, e.source.to_string());
  }
  return out;
}

}  // namespace fathom::reports
