#pragma once
// `fathom run` dispatches on the scenario's "kind"; each kind's runner lives in its own
// tools/run_<kind>.cpp, reads the sections it needs strictly, and prints text or one JSON object.

#include <string>

#include "sim/registry.h"
#include "sim/report.h"
#include "sim/scenario_document.h"

namespace fathom::tools {

struct RunOptions {
  bool json = false;
  std::string trace_file;  // --trace: Chrome-trace JSON of the run, where the kind supports it
  int bands = 0;           // --bands N: sample the scenario's ranges N times (0: a plain run)
  uint64_t seed = 1;       // --seed: of the Latin hypercube
  int threads = 0;         // --threads: for --bands (0: every core)
  bool progress = false;   // a progress line on stderr for long runs (a terminal, no --bands)
  std::string report_dir;  // --report: write the report's files here
};

// A run kind: how it prints a run, and (once it builds a Report, sim/report.h) the run as a Report,
// which --bands samples.
struct RunKind {
  void (*run)(const ScenarioDocument& doc, const RunOptions& options) = nullptr;
  Report (*report)(const ScenarioDocument& doc, const RunOptions& options) = nullptr;  // null: not yet ported
};

const Registry<RunKind>& run_kind_registry();

void run_serving(const ScenarioDocument& doc, const RunOptions& options);
void run_training(const ScenarioDocument& doc, const RunOptions& options);
void run_storage(const ScenarioDocument& doc, const RunOptions& options);
void run_unit(const ScenarioDocument& doc, const RunOptions& options);
Report unit_report_of(const ScenarioDocument& doc, const RunOptions& options);
Report serving_report_of(const ScenarioDocument& doc, const RunOptions& options);
Report training_report_of(const ScenarioDocument& doc, const RunOptions& options);
Report storage_report_of(const ScenarioDocument& doc, const RunOptions& options);

}  // namespace fathom::tools
