#pragma once
// The `analytic` level of a training step (ARCHITECTURE.md §3): closed forms only, no task graph and no
// engine — the fast path for sweeps. From the same closed-form unit times as the event level
// (stage_plan.h):
//  - busy: per rank, the sum of its units' times;
//  - bubble: the schedule's closed-form bubble (models/schedule/bubble.h) for the largest F, full B, W and
//    F&B unit times over the stages, each F, B and F&B plus one pipeline send (a fill/drain hop);
//  - pipeline part: the largest busy time + that bubble (exact for uniform stages without transfers:
//    the evaluator's makespan);
//  - tail, per rank: the reduce-scatter of the chunk whose weights finish last, the optimizer and the
//    all-gather (zero_costs.h), back to back after the pipeline part;
//  - step = pipeline part + the largest tail.
// Per rank, bubble = pipeline part - busy, so its breakdown adds up to pipeline part + its tail.
// No timeline (StepResult::slices stays empty), no transfer queueing, no NIC sharing.

#include "models/training/step_model.h"

namespace fathom::models::training {

StepResult analytic_step(const StepInputs& in);

}  // namespace fathom::models::training
