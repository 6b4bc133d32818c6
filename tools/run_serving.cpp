// Runner for scenarios of kind "serving" (docs/serving.md): a day of PD-disaggregated serving.

#include <fmt/format.h>

#include "models/serving/serving_report.h"
#include "tools/run_kinds.h"

namespace fathom::tools {

Report serving_report_of(const ScenarioDocument& doc, const RunOptions& options) {
  ProvenanceLog log;
  const models::serving::ServingInputs in = models::serving::read_serving_inputs(doc, &log);
  if (options.validate_only) return {};
  const bool show = options.progress;
  const models::serving::ServingResult result =
      models::serving::simulate_serving_day(in, [show](size_t done, size_t all) {
        if (show) fmt::print(stderr, "\rsimulating window {}/{}{}", done, all, done == all ? "\n" : "");
      });
  return models::serving::serving_report(in, result, log, doc.root, doc.name());
}

}  // namespace fathom::tools
