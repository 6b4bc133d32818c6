#pragma once
// A measured trace against fathom's prediction of the same step (`fathom compare-trace`,
// docs/calibration-traces.md): per kernel family and communication phase the measured time per step, the
// predicted time and predicted / measured; exposed communication measured (trace_overlap.h) and
// predicted; both timelines, one above the other. The result is a Report (sim/report.h), so text, JSON
// and the HTML report come from reports/.

#include <string>
#include <vector>

#include "calib/trace/kineto_trace.h"
#include "calib/trace/trace_classify.h"
#include "sim/report.h"

namespace fathom::calib {

// One row of the prediction's breakdown (a unit run's "breakdown": a kernel family, "dispatch",
// "combine", "tp_collectives" or "overhead"); times per step, in seconds.
struct PredictedRow {
  std::string name;
  std::string kind;  // "kernel", "communication", "overhead"
  double time_s = 0;
  double exposed_s = 0;
};

struct PredictedStep {
  std::string scenario;  // its name
  double step_s = 0, compute_s = 0, communication_s = 0, exposed_communication_s = 0;
  std::vector<PredictedRow> rows;
};

// The prediction row a trace class is compared with: NCCL "collective" with "tp_collectives", every
// other class with the row of its own name.
std::string predicted_row_of(const std::string& trace_class);

// `steps` (> 0): how many steps the trace holds; measured times are per step (totals / steps).
// The measured timeline holds the kernels that start in the trace's first 1/steps of its span.
Report trace_comparison_report(const KinetoTrace& trace, const TraceSummary& summary, const PredictedStep& predicted,
                               double steps);

}  // namespace fathom::calib
