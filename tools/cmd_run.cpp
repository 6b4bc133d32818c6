// `fathom run <scenario> [--json] [--trace FILE] [--set k=v]`: simulate a scenario of any kind.

#include <fmt/format.h>

#include "sim/strict_json.h"
#include "tools/commands.h"
#include "tools/run_kinds.h"
#include "tools/scenario_options.h"

namespace fathom::tools {

const Registry<RunKind>& run_kind_registry() {
  static const Registry<RunKind> registry(
      "scenario kind",
      {
          {"serving", "a day of PD-disaggregated serving: units per window, throughput, cost, revenue, margin",
           &run_serving},
          {"training", "one pre-training step under a pipeline schedule: step time, breakdown, MFU, GPU-hours",
           &run_training},
          {"storage", "a 3FS-style storage cluster under a workload: throughput, bottleneck, job time", &run_storage},
          {"unit",
           "one prefill or decode engine, or one training chunk, at a fixed batch: step, tokens/s per GPU and "
           "node, breakdown by kernel family and communication phase",
           &run_unit},
      });
  return registry;
}

void add_run_command(CLI::App& app) {
  auto opts = std::make_shared<ScenarioOptions>();
  auto run = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Simulate a scenario (its \"kind\" picks the simulator)");
  opts->add_to(*cmd);
  cmd->add_option("--trace", run->trace_file, "Write a Chrome-trace JSON timeline (Perfetto) where the kind has one");
  cmd->callback([opts, run] {
    const ScenarioDocument doc = opts->load();
    run->json = opts->json;
    if (!doc.root.contains("kind") || !doc.root["kind"].is_string()) {
      throw InputError(
          fmt::format("{}: kind: required key is missing (one of: serving, training, storage, unit)", doc.label));
    }
    const std::string kind = doc.root["kind"].get<std::string>();
    const RunKind make = run_kind_registry().get(kind, doc.label + ": kind").make;
    if (!run->trace_file.empty() && kind != "training") {
      throw InputError(fmt::format("--trace {}: a {} run has no timeline to write (only training runs have one)",
                                   printable(run->trace_file), kind));
    }
    make(doc, *run);
  });
}

}  // namespace fathom::tools
