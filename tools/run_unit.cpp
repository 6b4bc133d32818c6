// Runner for scenarios of kind "unit" (docs/unit.md): one prefill or decode engine, or one training
// chunk, at a fixed batch, with its breakdown by kernel family and communication phase.

#include <fmt/format.h>

#include "models/unit/unit_report.h"
#include "reports/formats.h"
#include "tools/run_kinds.h"

namespace fathom::tools {

void run_unit(const ScenarioDocument& doc, const RunOptions& options) {
  ProvenanceLog log;
  const models::unit::UnitScenario s = models::unit::read_unit_scenario(doc, log);
  const models::unit::UnitResult r = models::unit::predict_unit(s);
  fmt::print("{}", reports::render(models::unit::unit_report(s, r, log, doc.root), options.json ? "json" : "text"));
}

}  // namespace fathom::tools
