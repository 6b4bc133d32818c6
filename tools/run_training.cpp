// Runner for scenarios of kind "training": one pre-training step under a pipeline schedule, its breakdown,
// MFU, throughput, GPU-hours and cost (docs/training.md); --trace writes its timeline.

#include <fmt/format.h>

#include "models/training/training_report.h"
#include "reports/chrome_trace.h"
#include "sim/error.h"
#include "tools/run_kinds.h"

namespace fathom::tools {
namespace {

namespace tr = models::training;

void write_trace(const std::string& file, const tr::TrainingPrediction& p, int ranks) {
  std::vector<reports::TraceSlice> slices;
  for (const auto& s : p.step.slices)
    slices.push_back({s.rank, static_cast<int>(s.track), s.name, s.category, s.start_s, s.duration_s});
  std::vector<reports::TraceTrack> tracks;
  for (int r = 0; r < ranks; ++r) {
    tracks.push_back({r, 0, fmt::format("pipeline rank {}", r), "compute (F, B, W, F&B, optimizer)"});
    tracks.push_back({r, 1, fmt::format("pipeline rank {}", r), "PP sends to the next rank"});
    tracks.push_back({r, 2, fmt::format("pipeline rank {}", r), "PP sends to the previous rank"});
    tracks.push_back({r, 3, fmt::format("pipeline rank {}", r), "ZeRO-1 reduce-scatter, all-gather"});
    tracks.push_back(
        {r, 4, fmt::format("pipeline rank {}", r), "expert all-to-all (one slice per DISPATCH or COMBINE phase)"});
  }
  reports::write_chrome_trace(file, slices, tracks);
}

}  // namespace

Report training_report_of(const ScenarioDocument& doc, const RunOptions& options) {
  ProvenanceLog log;
  const tr::TrainingScenario scenario = tr::read_training_scenario(doc, log);
  if (!options.trace_file.empty() && scenario.fidelity == "analytic") {
    throw InputError("--trace: the analytic level has no timeline (use fidelity event or flow)");
  }
  if (options.validate_only) return {};
  const tr::TrainingPrediction p = tr::predict_training(scenario, 1, !options.trace_file.empty());
  const tr::TrainingMemory memory = tr::training_memory(scenario, p);
  for (const auto& a : memory.assumptions) log.record(a);
  if (!options.trace_file.empty()) write_trace(options.trace_file, p, scenario.schedule.ranks);
  return tr::training_report(scenario, p, memory, log, doc.root);
}

}  // namespace fathom::tools
