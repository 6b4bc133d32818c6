// DualPipe: bidirectional pipeline, micro-batches fed from both ends, each rank holding two chunks
// (DeepSeek-V3 report §3.2.1; deepseek-ai/DualPipe @ 3da1bbe, dualpipe.py; K32 of published-figures.md §3d).
//
// Mapping: micro-batches 0 .. C/2-1 enter at rank 0 and flow to rank P-1 (stage = rank); micro-batches
// C/2 .. C-1 enter at rank P-1 and flow to rank 0 (stage = P-1-rank). A rank's local phase 0 is the
// direction it is nearer the entry of (dualpipe.py: `phase ^= is_in_second_half`).

#include <fmt/format.h>

#include <algorithm>

#include "models/schedule/dualpipe_table.h"
#include "models/schedule/schedule.h"
#include "sim/error.h"

namespace fathom::models::schedule {

Schedule make_dualpipe(const ScheduleParams& params) {
  const int P = params.ranks;
  const int C = params.micro_batches;
  // dualpipe.py asserts num_ranks % 2 == 0, num_chunks % 2 == 0 and num_chunks >= num_ranks * 2.
  if (P < 2 || P % 2 != 0 || C % 2 != 0 || C < 2 * P) {
    throw InputError(
        fmt::format("schedule dualpipe: needs an even ranks >= 2 and an even micro_batches >= 2 * ranks (got ranks={}, "
                    "micro_batches={})",
                    P, C));
  }
  Schedule s{"dualpipe", P, C, P, 2, std::vector<std::vector<Unit>>(P)};
  const int H = P / 2;
  for (int r = 0; r < P; ++r) {
    const bool second_half = r >= H;
    detail::DualPipeRankPlan plan;
    plan.h = std::min(r, P - 1 - r);
    plan.half = H;
    plan.steady_repeats = C / 2 - P + plan.h + 1;
    plan.unoverlapped_first_steady = plan.h == H - 1;
    plan.per_phase = C / 2;
    for (int phase = 0; phase < 2; ++phase) {
      const int direction = phase ^ (second_half ? 1 : 0);  // 0: rank 0 -> P-1; 1: rank P-1 -> 0
      plan.first_micro_batch[phase] = direction == 0 ? 0 : C / 2;
      plan.stage[phase] = direction == 0 ? r : P - 1 - r;
    }
    s.per_rank[r] = detail::dualpipe_rank_units(plan);
  }
  return s;
}

}  // namespace fathom::models::schedule
