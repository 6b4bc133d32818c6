// Runner for scenarios of kind "training": one pre-training step under a pipeline schedule, its breakdown,
// MFU, throughput, GPU-hours and cost (docs/training.md); with options.timeline the step's timeline too
// (the "trace" format, --trace).

#include <fmt/format.h>

#include "models/training/training_report.h"
#include "sim/error.h"
#include "tools/run_kinds.h"

namespace fathom::tools {

namespace tr = models::training;

Report training_report_of(const ScenarioDocument& doc, const RunOptions& options) {
  ProvenanceLog log;
  const tr::TrainingScenario scenario = tr::read_training_scenario(doc, log);
  if (!options.trace_flag.empty() && scenario.fidelity == "analytic") {
    throw InputError(options.trace_flag + ": the analytic level has no timeline (use fidelity event or flow)");
  }
  if (options.validate_only) return {};
  const tr::TrainingPrediction p = tr::predict_training(scenario, 1, options.timeline);
  const tr::TrainingMemory memory = tr::training_memory(scenario, p);
  for (const auto& a : memory.assumptions) log.record(a);
  return tr::training_report(scenario, p, memory, log, doc.root);
}

}  // namespace fathom::tools
