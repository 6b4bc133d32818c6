#pragma once
// `fathom run` dispatches on the scenario's "kind": each kind's tools/run_<kind>.cpp reads the sections it
// needs strictly and returns the run as a Report (sim/report.h); `run` renders it, `--bands` samples it,
// `compare` sets two side by side, `check` only reads and validates.

#include <cstdint>
#include <string>

#include "sim/registry.h"
#include "sim/report.h"
#include "sim/scenario_document.h"

namespace fathom::tools {

struct RunOptions {
  std::string format = "text";  // --format (--json: "json"): a name of reports::format_registry()
  std::string trace_file;       // --trace FILE: the "trace" format of the report written there
  std::string trace_flag;       // "--trace" or "--format trace" when the run must have a timeline, else ""
  bool timeline = false;        // record the run's timeline into its report (costs time; off for sweeps)
  int bands = 0;                // --bands N: sample the scenario's ranges N times (0: a plain run)
  uint64_t seed = 1;            // --seed: of the Latin hypercube
  int threads = 0;              // --threads: for --bands (0: every core)
  bool progress = false;        // a progress line on stderr for long runs (a terminal, no --bands)
  std::string report_dir;       // --report: write the report's files here
  bool validate_only = false;   // `fathom check`: read and validate everything, simulate nothing
};

// A run kind. Contract: `report` with options.validate_only reads and validates the scenario (every input
// error it would raise) and returns an empty Report without simulating.
struct RunKind {
  Report (*report)(const ScenarioDocument& doc, const RunOptions& options) = nullptr;
  bool has_timeline = false;  // its report can carry a timeline (the "trace" format, --trace)
  bool one_thread = false;    // runs SimGrid (a process singleton, not thread-safe): --bands on one thread
};

const Registry<RunKind>& run_kind_registry();
// The kind the scenario's "kind" names; InputError "<file>: kind: ..." when it is missing or unknown.
// `fathom run` and the Python module (python/fathom_module.cpp) dispatch through it.
const RunKind& run_kind_of(const ScenarioDocument& doc);

// Whether a run of `doc` enters SimGrid (a process singleton bound to the thread that first ran it): a
// one_thread kind (storage) or `fidelity` "flow". Such runs must never go on two threads.
bool enters_simgrid(const ScenarioDocument& doc);
// The threads a --bands sweep of `doc` may use: 1 when it enters SimGrid, else `requested` (0: every core).
int band_threads(const ScenarioDocument& doc, int requested);

// What `fathom run` prints: the plain run, or with options.bands != 0 its --bands sweep (sim/band_sweep.h; one
// thread for a one_thread kind). InputError for bands outside 2..100000 or a trace flag with bands. `fathom run`
// and the Python module call it.
Report run_or_bands_report(const ScenarioDocument& doc, const RunKind& make, const RunOptions& options);

// `fathom compare`: A's and B's reports side by side with B / A (sim/report_compare.h); `name_a`/`name_b` label
// them. InputError when a scenario has no kind that builds a report, or the two kinds differ. The CLI and the
// Python module call it (tools/cmd_compare.cpp).
Report compare_report_of(const ScenarioDocument& a, const ScenarioDocument& b, const std::string& name_a,
                         const std::string& name_b);

Report unit_report_of(const ScenarioDocument& doc, const RunOptions& options);
Report serving_report_of(const ScenarioDocument& doc, const RunOptions& options);
Report training_report_of(const ScenarioDocument& doc, const RunOptions& options);
Report storage_report_of(const ScenarioDocument& doc, const RunOptions& options);

// `fathom check` of a scenario without a kind: validates it as `fathom memory` reads it.
void check_memory_scenario(const ScenarioDocument& doc);

// `fathom memory` of a scenario without a kind, or of a unit, serving or training scenario (tools/cmd_memory.cpp).
Report memory_report_of(const ScenarioDocument& doc, const RunOptions& options);

}  // namespace fathom::tools
