// Runner for scenarios of kind "storage": a 3FS-style cluster under a workload (docs/storage.md).

#include "models/storage/storage_report.h"
#include "tools/run_kinds.h"

namespace fathom::tools {

Report storage_report_of(const ScenarioDocument& doc, const RunOptions& options) {
  ProvenanceLog log;
  const models::storage::StorageScenario s = models::storage::read_storage_scenario(doc, log);
  if (options.validate_only) {
    models::storage::plan_storage_scenario(s, doc.label);  // planning errors are input errors too
    return {};
  }
  return models::storage::storage_report(models::storage::run_storage_scenario(s, doc.label), log, doc.root);
}

}  // namespace fathom::tools
