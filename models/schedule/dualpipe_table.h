#pragma once
// The shared 8-step per-rank table of DualPipe and DualPipeV (docs: ../shared/design/dualpipe-schedule.md;
// deepseek-ai/DualPipe @ 3da1bbe, `step()` in dualpipe.py and dualpipev.py). Internal to models/schedule.

#include <array>
#include <vector>

#include "models/schedule/schedule.h"

namespace fathom::models::schedule::detail {

// Where one rank sits in the table, and how its two local phases map onto micro-batches and stages.
struct DualPipeRankPlan {
  int h = 0;                               // DualPipe: min(r, P-1-r); DualPipeV: r
  int half = 0;                            // DualPipe: P/2; DualPipeV: P
  int steady_repeats = 0;                  // step 4 repeat count
  bool unoverlapped_first_steady = false;  // the middle ranks (DualPipe) / last rank (DualPipeV)
  int per_phase = 0;                       // forwards (and backwards) per phase on this rank
  std::array<int, 2> first_micro_batch{};  // micro-batch id of the phase's first forward
  std::array<int, 2> stage{};              // the stage this rank computes in each phase
};

// The rank's units in program order (steps 1-8).
std::vector<Unit> dualpipe_rank_units(const DualPipeRankPlan& plan);

}  // namespace fathom::models::schedule::detail
