// Runner for scenarios of kind "unit" (docs/unit.md): one prefill or decode engine, or one training
// chunk, at a fixed batch, with its breakdown by kernel family and communication phase.

#include "models/unit/unit_report.h"
#include "tools/run_kinds.h"

namespace fathom::tools {

Report unit_report_of(const ScenarioDocument& doc, const RunOptions& options) {
  ProvenanceLog log;
  const models::unit::UnitScenario s = models::unit::read_unit_scenario(doc, log);
  if (options.validate_only) return {};
  return models::unit::unit_report(s, models::unit::predict_unit(s), log, doc.root);
}

}  // namespace fathom::tools
