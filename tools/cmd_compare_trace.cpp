// `fathom compare-trace <trace.json> <unit scenario>`: a measured profiler trace against fathom's prediction
// of the same step, per kernel family and communication phase, with exposed communication measured and
// predicted, and both timelines in the report (calib/trace/trace_compare.h; docs/calibration-traces.md).

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "calib/trace/trace_compare.h"
#include "reports/formats.h"
#include "reports/report_dir.h"
#include "sim/error.h"
#include "tools/build_info.h"
#include "tools/commands.h"
#include "tools/run_kinds.h"
#include "tools/trace_input.h"

namespace fathom::tools {
namespace {

struct CompareTraceOptions {
  std::string trace, scenario;
  std::vector<std::string> sets, patterns;
  double steps = 0;
  bool json = false;
  std::string report_dir;
};

calib::PredictedStep predicted_step(const std::string& file, const std::vector<std::string>& sets) {
  const ScenarioDocument doc = load_scenario(file, sets, scenario_library());
  if (doc.kind() != "unit") {
    throw InputError(
        fmt::format("{}: kind: compare-trace runs a unit scenario (kind \"unit\", docs/unit.md): one "
                    "engine's step or one training chunk, as one GPU's trace shows it",
                    doc.label));
  }
  const Report r = unit_report_of(doc, RunOptions{});
  const nlohmann::json& d = r.data;
  calib::PredictedStep p;
  p.scenario = r.title;
  p.step_s = d.at("step_s").get<double>();
  p.compute_s = d.at("compute_s").get<double>();
  p.communication_s = d.at("communication_s").get<double>();
  p.exposed_communication_s = d.at("exposed_communication_s").get<double>();
  for (const nlohmann::json& row : d.at("breakdown")) {
    p.rows.push_back({row.at("name").get<std::string>(), row.at("kind").get<std::string>(),
                      row.at("time_s").get<double>(), row.at("exposed_s").get<double>()});
  }
  return p;
}

void run_compare_trace(const CompareTraceOptions& o) {
  const calib::TracePatterns patterns = load_trace_patterns(o.patterns);
  const calib::KinetoTrace trace = read_gpu_trace(o.trace);
  const calib::TraceSummary summary = calib::classify_trace(trace, patterns);
  const calib::PredictedStep predicted = predicted_step(o.scenario, o.sets);
  const double steps = o.steps > 0                ? o.steps
                       : trace.profiler_steps > 0 ? static_cast<double>(trace.profiler_steps)
                                                  : 1.0;
  const Report rep = calib::trace_comparison_report(trace, summary, predicted, steps);
  check_report(rep);
  fmt::print("{}", reports::render(rep, o.json ? "json" : "text"));
  if (!o.report_dir.empty()) reports::write_report_dir(rep, o.report_dir);
}

}  // namespace

void add_compare_trace_command(CLI::App& app) {
  auto o = std::make_shared<CompareTraceOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compare-trace", "A measured profiler trace against a unit scenario's prediction, per kernel family");
  cmd->add_option("trace", o->trace, "Chrome-trace JSON written by torch.profiler (one GPU's)")->required();
  cmd->add_option("scenario", o->scenario, "Unit scenario predicting the traced step")->required();
  cmd->add_option("--steps", o->steps,
                  "steps the trace holds (default: its ProfilerStep# annotations, else 1); times are per step")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--set", o->sets, "Override a scenario value: path.to.key=value (repeatable)");
  cmd->add_option("--patterns", o->patterns, "more kernel-name patterns (tried before the shipped ones; repeatable)");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->add_option("--report", o->report_dir, "Write the report files (report.html: both timelines) into DIR");
  cmd->callback([o] { run_compare_trace(*o); });
}

}  // namespace fathom::tools
