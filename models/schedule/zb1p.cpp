// ZB1P (ZB-H1): 1F1B with each backward split into B (input gradient) and W (weight gradient), W
// deferred to fill the pipeline's tail bubbles. Qi et al. 2023, "Zero Bubble Pipeline Parallelism",
// §3 (ZB-H1); the K31 row of published-figures.md §3d.
//
// Choice (documented in docs/schedules.md): rank r keeps up to r weight gradients queued (FIFO) in the
// steady state and cool-down and drains them at the end. The last rank therefore runs its W's latest,
// which takes W off the critical backward chain, and every rank holds at most P micro-batches'
// activations (forwards whose W has not run) — the same peak memory as 1F1B, as ZB-H1 requires.

#include <fmt/format.h>

#include <algorithm>
#include <deque>

#include "models/schedule/schedule.h"
#include "sim/error.h"

namespace fathom::models::schedule {

Schedule make_zb1p(const ScheduleParams& params) {
  const int P = params.ranks;
  const int C = params.micro_batches;
  if (P < 1 || C < 1) {
    throw InputError(
        fmt::format("schedule zb1p: needs ranks >= 1 and micro_batches >= 1 (got ranks={}, micro_batches={})", P, C));
  }
  Schedule s{"zb1p", P, C, P, 1, std::vector<std::vector<Unit>>(P)};
  for (int r = 0; r < P; ++r) {
    auto& units = s.per_rank[r];
    std::deque<Pass> deferred;
    const int max_deferred = r;
    auto forward = [&](int mb) { units.push_back(Unit::single({PassKind::kForward, 0, mb, r})); };
    auto backward = [&](int mb) {
      units.push_back(Unit::single({PassKind::kBackwardInput, 0, mb, r}));
      deferred.push_back({PassKind::kWeight, 0, mb, r});
      if (static_cast<int>(deferred.size()) > max_deferred) {
        units.push_back(Unit::single(deferred.front()));
        deferred.pop_front();
      }
    };
    const int warmup = std::min(P - r - 1, C);
    for (int k = 0; k < warmup; ++k) forward(k);
    for (int k = 0; k < C - warmup; ++k) {
      forward(warmup + k);
      backward(k);
    }
    for (int k = C - warmup; k < C; ++k) backward(k);
    for (const Pass& w : deferred) units.push_back(Unit::single(w));
  }
  return s;
}

}  // namespace fathom::models::schedule
