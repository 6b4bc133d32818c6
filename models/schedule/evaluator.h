#pragma once
// Times a schedule's task graph with fixed per-unit durations and zero communication time: each unit
// starts when its rank's previous unit and every pass it depends on have ended (longest path over the
// DAG in topological order). Gives the step makespan, per-rank busy time and bubble.
//
// Duration names follow the DualPipe README / V3 report Table 2 (published-figures.md §3d): B is a FULL
// backward chunk (input + weight gradient), W the weight-gradient part, so an input-only backward takes
// B - W; F&B is the duration of one overlapped forward+backward unit, a parameter of its own.

#include <vector>

#include "models/schedule/schedule.h"
#include "models/schedule/task_graph.h"

namespace fathom::models::schedule {

// Durations of each kind of unit, in seconds (any consistent unit works).
struct UnitDurations {
  double forward_s = 0;           // F
  double backward_s = 0;          // B, full backward
  double weight_s = 0;            // W, 0 <= W <= B
  double forward_backward_s = 0;  // F&B, an overlapped forward and full backward
};

// When every unit ran and what each rank did.
struct Evaluation {
  std::vector<double> start_s;   // per vertex of the task graph
  std::vector<double> end_s;     // per vertex
  double makespan_s = 0;         // from 0 to the last unit's end
  std::vector<double> busy_s;    // per rank: the sum of its units' durations
  std::vector<double> bubble_s;  // per rank: makespan - busy
  double max_bubble_s = 0;       // the published formulas' convention (see docs/schedules.md)
  int max_bubble_rank = 0;       // the lowest rank attaining it
};

// Duration of one unit of `kind`; throws InputError if the durations are negative or W > B.
double unit_duration(UnitKind kind, const UnitDurations& durations);

// Evaluates a built graph; throws std::logic_error if it has a cycle.
Evaluation evaluate(const TaskGraph& graph, const UnitDurations& durations);

// Builds the graph of `schedule` and evaluates it.
Evaluation evaluate(const Schedule& schedule, const UnitDurations& durations);

}  // namespace fathom::models::schedule
