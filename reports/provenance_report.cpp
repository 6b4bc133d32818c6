#include "reports/provenance_report.h"

#include <fmt/format.h>

namespace fathom::reports {

nlohmann::json assumptions_json(const ProvenanceLog& log) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : log.assumptions()) {
    nlohmann::json entry = {{"path", e.json_path}, {"value", e.value_text}, {"source", e.source.to_string()}};
    if (!e.range_text.empty()) entry["range"] = e.range_text;
    out.push_back(std::move(entry));
  }
  return out;
}

std::string assumptions_text(const ProvenanceLog& log) {
  std::string out;
  for (const auto& e : log.assumptions()) {
    const std::string range = e.range_text.empty() ? "" : " in " + e.range_text;
    out += fmt::format("  {} = {}{}  ({})\n", e.json_path, e.value_text, range, e.source.to_string());
  }
  return out;
}

}  // namespace fathom::reports
