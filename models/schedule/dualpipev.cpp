// DualPipeV ("cut-in-half" DualPipe, Sea AI Lab): P ranks run 2P stages in a V; rank r holds stage r
// (phase 0, going down) and stage 2P-1-r (phase 1, coming back up). All micro-batches enter at rank 0.
// deepseek-ai/DualPipe @ 3da1bbe, dualpipev.py; K33 of published-figures.md §3d.

#include <fmt/format.h>

#include "models/schedule/dualpipe_table.h"
#include "models/schedule/schedule.h"
#include "sim/error.h"

namespace fathom::models::schedule {

Schedule make_dualpipev(const ScheduleParams& params) {
  const int P = params.ranks;
  const int C = params.micro_batches;
  // dualpipev.py asserts num_chunks >= num_ranks * 2 (C need not be even).
  if (P < 1 || C < 2 * P) {
    throw InputError(fmt::format(
        "schedule dualpipev: needs ranks >= 1 and micro_batches >= 2 * ranks (got ranks={}, micro_batches={})", P, C));
  }
  Schedule s{"dualpipev", P, C, 2 * P, 2, std::vector<std::vector<Unit>>(P)};
  for (int r = 0; r < P; ++r) {
    detail::DualPipeRankPlan plan;
    plan.h = r;
    plan.half = P;
    plan.steady_repeats = C - 2 * P + r + 1;
    plan.unoverlapped_first_steady = r == P - 1;
    plan.per_phase = C;
    plan.first_micro_batch = {0, 0};
    plan.stage = {r, 2 * P - 1 - r};
    s.per_rank[r] = detail::dualpipe_rank_units(plan);
  }
  return s;
}

}  // namespace fathom::models::schedule
