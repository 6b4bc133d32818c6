// `fathom run <scenario> [--json | --format NAME] [--trace FILE] [--report DIR] [--bands [N]] [--set k=v]`:
// simulate a scenario of any kind and render its Report in a registered format.

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <thread>

#include "reports/formats.h"
#include "reports/report_dir.h"
#include "sim/band_sweep.h"
#include "sim/strict_json.h"
#include "tools/commands.h"
#include "tools/run_kinds.h"
#include "tools/scenario_options.h"

namespace fathom::tools {

const Registry<RunKind>& run_kind_registry() {
  static const Registry<RunKind> registry(
      "scenario kind",
      {
          {"serving",
           "a day of PD-disaggregated serving: units per window, throughput, cost, revenue, margin",
           {&serving_report_of}},
          {"training",
           "one pre-training step under a pipeline schedule: step time, breakdown, MFU, GPU-hours",
           {&training_report_of, true}},
          {"storage",
           "a 3FS-style storage cluster under a workload: throughput, bottleneck, job time",
           {&storage_report_of, false, true}},
          {"unit",
           "one prefill or decode engine, or one training chunk, at a fixed batch: step, tokens/s per GPU and "
           "node, breakdown by kernel family and communication phase",
           {&unit_report_of}},
      });
  return registry;
}

const RunKind& run_kind_of(const ScenarioDocument& doc) {
  const std::optional<std::string> kind = doc.kind();
  if (!kind) {
    throw InputError(
        fmt::format("{}: kind: required key is missing (one of: serving, training, storage, unit)", doc.label));
  }
  return run_kind_registry().get(*kind, doc.label + ": kind").make;
}

bool enters_simgrid(const ScenarioDocument& doc) {
  if (doc.root.contains("fidelity") && doc.root["fidelity"] == "flow") return true;
  const std::optional<std::string> name = doc.kind();
  const auto* kind = name ? run_kind_registry().find(*name) : nullptr;
  return kind != nullptr && kind->make.one_thread;
}

int band_threads(const ScenarioDocument& doc, int requested) {
  if (enters_simgrid(doc)) return 1;
  return requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

Report run_or_bands_report(const ScenarioDocument& doc, const RunKind& make, const RunOptions& o) {
  if (o.bands == 0) return make.report(doc, o);
  if (o.bands < 2 || o.bands > 100000) throw InputError(fmt::format("--bands {}: use 2 to 100000 samples", o.bands));
  if (!o.trace_flag.empty()) throw InputError(o.trace_flag + ": a --bands run has no single timeline to write");
  const int threads = band_threads(doc, o.threads);
  RunOptions quiet = o;
  quiet.progress = false;
  quiet.timeline = false;
  return band_report(
      sweep_bands(doc, o.bands, o.seed, threads, [&](const ScenarioDocument& d) { return make.report(d, quiet); }));
}

namespace {

// The run (or its --bands sweep) printed, and written to --report DIR.
void run_report(const ScenarioDocument& doc, const RunKind& make, const RunOptions& o) {
  const Report report = run_or_bands_report(doc, make, o);
  fmt::print("{}", reports::render(report, o.format));
  if (!o.trace_file.empty()) {
    std::ofstream out(o.trace_file);
    out << reports::render(report, "trace", "--trace");
    if (!out) throw InputError("--trace: cannot write " + printable(o.trace_file));
  }
  if (!o.report_dir.empty()) reports::write_report_dir(report, o.report_dir);
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto opts = std::make_shared<ScenarioOptions>();
  auto run = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Simulate a scenario (its \"kind\" picks the simulator)");
  opts->add_to(*cmd);
  cmd->add_option("--trace", run->trace_file,
                  "Write the run's timeline as Chrome-trace JSON (Perfetto) where the kind has one (the trace format)");
  cmd->add_option("--format", run->format,
                  "Print the report in this format (fathom list format: text, json, markdown, csv, html, trace)")
      ->capture_default_str();
  cmd->add_option("--bands", run->bands,
                  "Sample the scenario's ranged values N times (Latin hypercube, default 64): p5/p50/p95 of every "
                  "headline metric and its drivers")
      ->expected(0, 1)
      ->default_str("64");
  cmd->add_option("--seed", run->seed, "Seed of the --bands sampling")->capture_default_str();
  cmd->add_option("--threads", run->threads, "Threads for --bands (0: every core)")->capture_default_str();
  cmd->add_option("--report", run->report_dir,
                  "Write report.json, a CSV per table, summary.md and a self-contained report.html into DIR");
  cmd->callback([opts, run] {
    const ScenarioDocument doc = opts->load();
    if (opts->json) {
      if (run->format != "text" && run->format != "json") {
        throw InputError(fmt::format("--format {}: --json asks for json; give one of the two", printable(run->format)));
      }
      run->format = "json";
    }
    reports::format_registry().get(run->format, "--format");
    run->progress = isatty(fileno(stderr)) != 0;
    const RunKind& make = run_kind_of(doc);
    const std::string kind = doc.kind().value();
    run->trace_flag = !run->trace_file.empty() ? "--trace" : run->format == "trace" ? "--format trace" : "";
    if (!run->trace_flag.empty() && !make.has_timeline) {
      throw InputError(fmt::format("{}: a {} run has no timeline to write (only training runs have one)",
                                   run->trace_file.empty() ? run->trace_flag : "--trace " + printable(run->trace_file),
                                   kind));
    }
    run->timeline = !run->trace_flag.empty() || !run->report_dir.empty() || run->format == "html";
    run_report(doc, make, *run);
  });
}

}  // namespace fathom::tools
