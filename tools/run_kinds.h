#pragma once
// `fathom run` dispatches on the scenario's "kind"; each kind's runner lives in its own
// tools/run_<kind>.cpp, reads the sections it needs strictly, and prints text or one JSON object.

#include <string>

#include "sim/registry.h"
#include "sim/scenario_document.h"

namespace fathom::tools {

struct RunOptions {
  bool json = false;
  std::string trace_file;      // --trace: Chrome-trace JSON of the run, where the kind supports it
  bool validate_only = false;  // `fathom check`: read and validate everything, simulate nothing, print nothing
};

using RunKind = void (*)(const ScenarioDocument& doc, const RunOptions& options);

const Registry<RunKind>& run_kind_registry();

void run_serving(const ScenarioDocument& doc, const RunOptions& options);
void run_training(const ScenarioDocument& doc, const RunOptions& options);
void run_storage(const ScenarioDocument& doc, const RunOptions& options);
void run_unit(const ScenarioDocument& doc, const RunOptions& options);

// `fathom check` of a scenario without a kind: validates it as `fathom memory` reads it.
void check_memory_scenario(const ScenarioDocument& doc);

}  // namespace fathom::tools
