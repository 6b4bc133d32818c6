// Runner for scenarios of kind "storage": a 3FS-style cluster under a workload (docs/storage.md).

#include <fmt/format.h>

#include "models/storage/storage_report.h"
#include "reports/formats.h"
#include "tools/run_kinds.h"

namespace fathom::tools {

Report storage_report_of(const ScenarioDocument& doc, const RunOptions& /*options*/) {
  ProvenanceLog log;
  const models::storage::StorageScenario s = models::storage::read_storage_scenario(doc, log);
  return models::storage::storage_report(models::storage::run_storage_scenario(s, doc.label), log, doc.root);
}

void run_storage(const ScenarioDocument& doc, const RunOptions& options) {
  fmt::print("{}", reports::render(storage_report_of(doc, options), options.json ? "json" : "text"));
}

}  // namespace fathom::tools
