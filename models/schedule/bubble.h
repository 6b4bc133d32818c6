#pragma once
// The bubble of each schedule in closed form, for uniform unit durations: the published formulas' setting. The
// `analytic` training step no longer uses them: real stages differ (embedding, MTP and head stages; uneven
// interleaved chunks) and none of these forms, fed the largest or any other per-stage unit time, bounds the
// makespan then (docs/schedules.md §4); it times the program instead (program_timing.h), of which these are
// the uniform special case (tests/models/program_timing_test.cpp). These are the exact results of the schedules'
// task graphs for ANY uniform durations, one F, B, W and F&B for every stage (tests/models/schedule_bubble_test.cpp
// checks them against the evaluator), of which the published formulas K30–K33 (published-figures.md §3d) are the
// special cases (docs/schedules.md §4):
//   1F1B       (P-1)(F+B)
//   interleaved (P-1)(F+B) with F, B the durations of one of the v chunks of a rank (1/v of the rank's
//              layers): 1F1B's bubble / v, the bubble fraction (P-1)/(v·m) of Narayanan et al. 2021 §2.2.2
//   ZB1P       (P-1) max(F, B-W, F+B-2W)                 (= (P-1)(F+B-2W) iff W <= F and W <= B-W)
//   DualPipe   max(k(F&B+F-B), k(F&B+F-2W), k(F&B+B-3W)-F, k(F&B-W)-F, 0), k = P/2-1
//   DualPipeV  the same with k = P-1 (PP/2-1 with PP = 2P stages)
// with B a full backward chunk and W its weight part; DualPipe's form holds for max(F, B) <= F&B <= F+B.
// The value is the largest bubble over the ranks (the published convention).

#include "models/schedule/evaluator.h"
#include "models/schedule/schedule.h"

namespace fathom::models::schedule {

// The form is the registry entry's (ScheduleTraits::bubble). Throws std::invalid_argument for a schedule name
// not in the registry.
double closed_form_bubble(const Schedule& schedule, const UnitDurations& durations);

}  // namespace fathom::models::schedule
