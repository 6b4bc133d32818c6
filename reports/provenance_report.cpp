#include "reports/provenance_report.h"

#include <fmt/format.h>

namespace fathom::reports {

nlohmann::json assumptions_json(const ProvenanceLog& log) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : log.assumptions()) {
    out.push_back({{"path", e.json_path}, {"value", e.value_text}, {"source", e.source.to_string()}});
  }
  return out;
}

std::string assumptions_text(const ProvenanceLog& log) {
  std::string out;
  for (const auto& e : log.assumptions()) {
    out += fmt::format("  {} = {}  ({})\n", e.json_path, e.value_text, e.source.to_string());
  }
  return out;
}

}  // namespace fathom::reports
