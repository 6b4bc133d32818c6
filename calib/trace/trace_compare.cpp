#include "calib/trace/trace_compare.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "calib/trace/trace_overlap.h"

namespace fathom::calib {
namespace {

using nlohmann::json;

// predicted / measured; null (shown "n/a") when either side is 0: a family only one side has, or a trace
// without exposed communication, has no ratio (0 would read as "predicted nothing").
json ratio(double predicted, double measured) {
  return measured > 0 && predicted > 0 ? json(predicted / measured) : json(nullptr);
}

json families_json(const TraceSummary& s, const PredictedStep& p, double steps) {
  std::map<std::string, PredictedRow> predicted;
  for (const PredictedRow& r : p.rows) predicted[r.name] = r;
  json rows = json::array();
  std::set<std::string> seen;
  const auto row = [&](const std::string& name, const std::string& kind, int64_t kernels, double measured, double pred,
                       const std::string& note) {
    rows.push_back({{"name", name},
                    {"kind", kind},
                    {"kernels_per_step", kernels / steps},
                    {"measured_s", measured},
                    {"predicted_s", pred},
                    {"predicted_over_measured", ratio(pred, measured)},
                    {"note", note}});
  };
  for (const auto& [name, t] : s.classes) {
    const std::string target = predicted_row_of(name);
    const auto it = predicted.find(target);
    const double pred = it == predicted.end() ? 0.0 : it->second.time_s;
    std::string note;
    if (name == kCopyClass) {
      note = "not modelled (host/device copies)";
    } else if (it == predicted.end()) {
      note = "not in the prediction";
    } else if (target != name) {
      note = "compared with " + target;
    }
    seen.insert(target);
    row(name, t.communication ? "communication" : "kernel", t.count, t.total.value() / steps, pred, note);
  }
  for (const PredictedRow& r : p.rows) {
    if (seen.count(r.name)) continue;
    row(r.name, r.kind, 0, 0.0, r.time_s, r.kind == "overhead" ? "not a kernel" : "not in the trace");
  }
  int64_t count = 0;
  double total = 0;
  for (const TraceTotal& t : s.unclassified) count += t.count, total += t.total.value();
  if (count > 0) row("unclassified", "kernel", count, total / steps, 0.0, "no pattern matched (see unclassified)");
  return rows;
}

json unclassified_json(const TraceSummary& s, double steps) {
  json rows = json::array();
  for (const TraceTotal& t : s.unclassified) {
    rows.push_back({{"name", t.name},
                    {"kernels", t.count},
                    {"total_s", t.total.value()},
                    {"per_step_s", t.total.value() / steps}});
  }
  return rows;
}

json slice(int process, int thread, const std::string& lane, const std::string& name, const std::string& category,
           double start, double end) {
  const bool measured = process == 0;
  return {{"process", process},
          {"thread", thread},
          {"process_name", measured ? "measured (trace)" : "predicted (fathom)"},
          {"thread_name", thread == 0   ? "compute"
                          : thread == 1 ? "communication"
                                        : "memcpy"},
          {"lane", lane},
          {"name", name},
          {"category", category},
          {"start_s", start},
          {"end_s", end}};
}

// Measured: the first step's kernels as traced. Predicted: the breakdown laid out end to end, compute on
// one lane and communication on the other, placed so that they overlap by the predicted hidden time
// (communication - exposed): a schematic of the prediction, not a simulation of its events.
json timeline_json(const TraceSummary& s, const PredictedStep& p, double first_step_end) {
  json rows = json::array();
  for (const ClassifiedKernel& c : s.kernels) {
    const double start = c.kernel->start.value();
    if (start >= first_step_end) continue;
    const std::string cls = c.cls ? c.cls->name : "unclassified";
    const int thread = c.cls && c.cls->communication ? 1 : cls == kCopyClass ? 2 : 0;
    const std::string lane = thread == 0   ? "measured: compute"
                             : thread == 1 ? "measured: communication"
                                           : "measured: memcpy";
    rows.push_back(slice(0, thread, lane, c.kernel->name, cls, start, start + c.kernel->duration.value()));
  }
  double compute_end = 0;
  for (const PredictedRow& r : p.rows) {
    if (r.kind == "communication" || r.time_s <= 0) continue;
    rows.push_back(slice(1, 0, "predicted: compute", r.name, r.name, compute_end, compute_end + r.time_s));
    compute_end += r.time_s;
  }
  const double hidden = std::max(0.0, p.communication_s - p.exposed_communication_s);
  double comm = std::max(0.0, compute_end - hidden);
  for (const PredictedRow& r : p.rows) {
    if (r.kind != "communication" || r.time_s <= 0) continue;
    rows.push_back(slice(1, 1, "predicted: communication", r.name, r.name, comm, comm + r.time_s));
    comm += r.time_s;
  }
  return rows;
}

}  // namespace

std::string predicted_row_of(const std::string& trace_class) {
  return trace_class == "collective" ? "tp_collectives" : trace_class;
}

Report trace_comparison_report(const KinetoTrace& trace, const TraceSummary& summary, const PredictedStep& p,
                               double steps) {
  const TraceOverlap o = trace_overlap(summary);
  Report rep;
  rep.kind = "compare-trace";
  rep.title = fmt::format("{} (measured) against {} (predicted)", trace.file, p.scenario);
  const double span = o.span.value() / steps;
  rep.data = {
      {"trace", trace.file},
      {"device", trace.device},
      {"scenario", p.scenario},
      {"steps", steps},
      {"measured",
       {{"step_s", span},
        {"compute_s", o.compute_busy.value() / steps},
        {"communication_s", o.communication_busy.value() / steps},
        {"exposed_communication_s", o.exposed_communication.value() / steps}}},
      {"predicted",
       {{"step_s", p.step_s},
        {"compute_s", p.compute_s},
        {"communication_s", p.communication_s},
        {"exposed_communication_s", p.exposed_communication_s}}},
      {"ratio",
       {{"step", ratio(p.step_s, span)},
        {"exposed_communication", ratio(p.exposed_communication_s, o.exposed_communication.value() / steps)}}},
      {"families", families_json(summary, p, steps)},
      {"unclassified", unclassified_json(summary, steps)},
      {"timeline", timeline_json(summary, p, span)},
  };
  rep.lines.push_back(fmt::format("{} GPU events on {}, {} step(s); measured times are per step", trace.kernels.size(),
                                  trace.device.empty() ? "an unnamed device" : trace.device, steps));
  rep.lines.push_back(
      "Measured compute and communication are the unions of their kernels' intervals; exposed "
      "communication runs while no compute kernel does (memcpy is neither)");
  if (summary.devices > 1) {
    rep.warnings.push_back(
        fmt::format("the trace holds events of {} GPUs; a unit predicts one GPU's step", summary.devices));
  }
  if (!summary.unclassified.empty()) {
    rep.warnings.push_back(
        fmt::format("{} kernel names match no pattern (the unclassified table); add patterns with "
                    "--patterns",
                    summary.unclassified.size()));
  }
  rep.metrics = {
      {"/measured/step_s", "s", "measured GPU time per step (first to last GPU event, / steps)"},
      {"/predicted/step_s", "s", "predicted step"},
      {"/measured/exposed_communication_s", "s", "measured exposed communication per step"},
      {"/predicted/exposed_communication_s", "s", "predicted exposed communication per step"},
      {"/measured/compute_s", "s", "measured compute busy time per step", false},
      {"/predicted/compute_s", "s", "predicted compute per step", false},
      {"/measured/communication_s", "s", "measured communication busy time per step", false},
      {"/predicted/communication_s", "s", "predicted communication per step", false},
  };
  // A ratio is a metric only where both sides have a time (else it is null in the data).
  if (rep.data["ratio"]["step"].is_number()) {
    rep.metrics.insert(rep.metrics.begin() + 2, {"/ratio/step", "", "predicted / measured step"});
  }
  if (rep.data["ratio"]["exposed_communication"].is_number()) {
    rep.metrics.push_back({"/ratio/exposed_communication", "", "predicted / measured exposed communication"});
  }
  rep.tables = {
      {"families",
       "Per kernel family and communication phase, per step",
       "/families",
       {{"name", "family", ""},
        {"kernels_per_step", "kernels", "", 1, 1},
        {"measured_s", "measured", "ms", 1e3, 3},
        {"predicted_s", "predicted", "ms", 1e3, 3},
        {"predicted_over_measured", "pred/meas", "", 1, 2},
        {"note", "note", ""}},
       {{"bar", "name", "predicted_over_measured", "kind", "", "", "predicted / measured"}}},
      {"unclassified",
       "Kernels no pattern matched",
       "/unclassified",
       {{"name", "kernel", ""}, {"kernels", "kernels", ""}, {"per_step_s", "per step", "ms", 1e3, 3}}},
      {"timeline",
       "Timelines: measured (first step of the trace) above predicted (the breakdown laid out)",
       "/timeline",
       {{"lane", "lane", ""}, {"name", "name", ""}, {"start_s", "start", "ms", 1e3, 3}, {"end_s", "end", "ms", 1e3, 3}},
       {gantt_chart("measured above predicted", "lane", "start_s", "end_s", "category", "time (s)")},
       false},
  };
  rep.timeline = "timeline";
  return rep;
}

}  // namespace fathom::calib
