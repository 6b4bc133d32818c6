// Runner for scenarios of kind "serving" (issue #4): a day of PD-disaggregated serving.

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "models/serving/serving_inputs.h"
#include "reports/provenance_report.h"
#include "tools/run_kinds.h"
#include "tools/serving_output.h"

namespace fathom::tools {

void run_serving(const ScenarioDocument& doc, const RunOptions& options) {
  ProvenanceLog log;
  const models::serving::ServingInputs in = models::serving::read_serving_inputs(doc, &log);
  if (options.validate_only) return;
  const bool show_progress = isatty(fileno(stderr)) != 0;
  const models::serving::ServingResult result =
      models::serving::simulate_serving_day(in, [show_progress](size_t done, size_t all) {
        if (show_progress) fmt::print(stderr, "\rsimulating window {}/{}{}", done, all, done == all ? "\n" : "");
      });
  if (options.json) {
    nlohmann::json out = serving_json(in, result);
    out["assumptions"] = reports::assumptions_json(log);
    out["scenario"] = doc.root;
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("{}", serving_text(doc.root.value("name", doc.label), result));
  const std::string assumed = reports::assumptions_text(log);
  if (!assumed.empty()) fmt::print("\nAssumed and default values:\n{}", assumed);
}

}  // namespace fathom::tools
