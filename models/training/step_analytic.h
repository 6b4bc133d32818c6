#pragma once
// The `analytic` level of a training step (ARCHITECTURE.md §3): no engine, no task graph on the DES — the fast path
// for sweeps and `fathom plan`'s inner loop. From the same closed-form unit times as the event level (stage_plan.h):
//  - busy: per rank, the sum of its units' times (from the folded schedule, schedule_digest.h);
//  - pipeline part: the longest path of the schedule's program with each unit's own time (its stages and kind)
//    and each data dependency between two ranks one pipeline send of its boundary (pipeline_sends.h), folded over
//    the micro-batches (models/schedule/program_timing.h: steady_makespan). It equals the event level's pipeline
//    part for any stages without transfers (tested on random non-uniform stages); the closed forms of
//    models/schedule/bubble.h are its uniform special case. With transfers the event level also queues two sends
//    on one link, which this level does not;
//  - tail, per rank: the reduce-scatter of the chunk whose weights finish last, the optimizer and the
//    all-gather (zero_costs.h), back to back after the pipeline part;
//  - step = pipeline part + the largest tail.
// Per rank, bubble = pipeline part - busy, so its breakdown adds up to pipeline part + its tail.
// No timeline (StepResult::slices stays empty), no transfer queueing, no NIC sharing.
// Contract: the schedule is the registry's `schedule.name` at (ranks, micro_batches, virtual stages =
// chunks_per_rank for interleaved_1f1b, else 1): its program is regenerated from those (StepInputs::schedule may
// be a digest's header).

#include "models/training/step_model.h"

namespace fathom::models::training {

StepResult analytic_step(const StepInputs& in);

}  // namespace fathom::models::training
