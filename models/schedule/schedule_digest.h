#pragma once
// A schedule folded for closed forms (the analytic training step, `fathom plan`): per rank, each distinct
// unit once with the number of times the rank runs it, instead of every unit in program order. Two units are
// the same when their kinds, pass kinds and stages are (micro-batch and phase do not change a unit's time:
// training::UnitPlans keys its plans the same way). A digest is a few dozen entries where the schedule holds
// ranks x ~3 x micro-batches units, so a step priced from it costs the same at 8 or 800 micro-batches.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/schedule/schedule.h"

namespace fathom::models::schedule {

// What identifies a unit's time: {unit kind, first pass kind, first stage, second pass kind or -1, second
// stage or -1}.
using UnitSignature = std::array<int, 5>;
UnitSignature signature_of(const Unit& unit);

struct UnitCount {
  Unit unit;  // the first unit of this signature in program order (a representative)
  int64_t count = 0;
};

// Micro-batch activations a rank holds, per stage: `full` after a forward until its backward (full or
// input-only), `weight_only` after an input-only backward until its W.
struct LiveCounts {
  std::vector<int> full, weight_only;  // per stage
  friend bool operator==(const LiveCounts&, const LiveCounts&) = default;
};

struct ScheduleDigest {
  Schedule header;                               // the schedule without its units (per_rank empty)
  std::vector<std::vector<UnitCount>> per_rank;  // per rank, by first appearance in program order
  std::vector<std::vector<int>> held;            // held_stages(schedule)
  // Per rank: the stage of the last pass in program order that computes weight gradients (B or W); the
  // rank's first held stage when it has none.
  std::vector<int> last_weight_stage;
  // Per rank, the live counts after each forward (where the activation memory can peak; inside an F&B unit
  // the forward counts first), each distinct one once, in program order of first appearance.
  std::vector<std::vector<LiveCounts>> after_forward;
  // The F&B units of distinct (forward stage, backward stage), first of each in rank then program order.
  std::vector<Unit> forward_backward_units;
};

ScheduleDigest digest(const Schedule& schedule);

}  // namespace fathom::models::schedule
