// 1F1B: the one-forward-one-backward baseline (Megatron-LM non-interleaved schedule; the K30 row of
// published-figures.md §3d). One model chunk per rank; the backward is a full backward (input and
// weight gradients).

#include <fmt/format.h>

#include <algorithm>

#include "models/schedule/schedule.h"
#include "sim/error.h"

namespace fathom::models::schedule {

Schedule make_1f1b(const ScheduleParams& params) {
  const int P = params.ranks;
  const int C = params.micro_batches;
  if (P < 1 || C < 1) {
    throw InputError(
        fmt::format("schedule 1f1b: needs ranks >= 1 and micro_batches >= 1 (got ranks={}, micro_batches={})", P, C));
  }
  Schedule s{"1f1b", P, C, P, 1, std::vector<std::vector<Unit>>(P)};
  for (int r = 0; r < P; ++r) {
    auto& units = s.per_rank[r];
    auto forward = [&](int mb) { units.push_back(Unit::single({PassKind::kForward, 0, mb, r})); };
    auto backward = [&](int mb) { units.push_back(Unit::single({PassKind::kBackwardFull, 0, mb, r})); };
    // Warm-up: P - r - 1 forwards; steady state: one forward, one backward; cool-down: the backwards left.
    const int warmup = std::min(P - r - 1, C);
    for (int k = 0; k < warmup; ++k) forward(k);
    for (int k = 0; k < C - warmup; ++k) {
      forward(warmup + k);
      backward(k);
    }
    for (int k = C - warmup; k < C; ++k) backward(k);
  }
  return s;
}

}  // namespace fathom::models::schedule
