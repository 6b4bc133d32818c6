#pragma once
// What a training prediction will cost before anything is built (sim/resource_guard.h): the schedule's
// passes, the engine tasks of one step at the scenario's fidelity, and the step simulations of the batch
// ramp. read_training_scenario refuses a scenario over budget before it builds the schedule; predict_training
// checks again with the replicas it is asked to unfold.
//
// Per item, measured on DeepSeek-V3 (61 layers) pp16 DualPipe at 120 to 30,000 micro-batches (2-core CI
// machine, peak RSS over engine tasks) and rounded up:
//  - a schedule pass: ~100 B (the schedule's units and the task graph's vertices); 0.1 us at `analytic`;
//  - event: one engine task per pass (+ pipeline sends, ~ the F&B pairs merged away): 400 B, 2 us per task;
//  - flow: 2 + 8 x (layers per stage) engine tasks per pass (compute spans, two flows and joins per
//    all-to-all phase): 200 B, 4 us per task.
// Folded (replicas = 1) the data-parallel size does not appear: a million GPUs cost what one pipeline costs.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/resource_guard.h"

namespace fathom::models::training {

struct TrainingWorkShape {
  std::string_view fidelity;  // analytic | event | flow
  std::string_view schedule;  // a schedule registry name
  int64_t pp = 1;
  int64_t virtual_stages = 1;  // chunks per rank of a schedule with virtual stages (interleaved 1F1B); others ignore it
  int64_t micro_batches = 1;
  int64_t layers = 1;         // decoder layers
  int64_t replicas = 1;       // data-parallel replicas simulated (1 = folded)
  int64_t ramp_segments = 0;  // training.batch_ramp.segments (0: no ramp)
};

// The schedule's passes, the engine tasks of one step and the step simulations (one, plus one per
// distinct micro-batch count of the ramp, at most min(segments, micro_batches)); bytes are one step's
// peak, seconds all of them.
sim::WorkEstimate estimate_training_work(const TrainingWorkShape& shape);

// A one-line reason to refuse, with what to change; empty when the work fits.
std::optional<std::string> training_over_budget(const TrainingWorkShape& shape);

}  // namespace fathom::models::training
