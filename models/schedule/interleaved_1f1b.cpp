// Interleaved 1F1B (virtual pipeline stages): Megatron-LM's interleaved schedule. Narayanan et al. 2021,
// "Efficient Large-Scale Language Model Training on GPU Clusters Using Megatron-LM", §2.2.2 and Figure 4;
// the program order is Megatron-LM's forward_backward_pipelining_with_interleaving (megatron/core/
// pipeline_parallel/schedules.py), as recalled:
//  - the model is cut into P·v stages; rank r holds the v chunks (phases) c = 0..v-1 at stages c·P + r;
//  - a rank runs m·v "virtual micro-batches" k = 0..m·v-1 forward in this order: within each group of P·v,
//    chunk (k mod P·v) / P of micro-batch P·(k div P·v) + k mod P; backwards in the same order with the
//    chunks reversed (chunk v-1 first);
//  - warm-up: 2·(P-r-1) + (v-1)·P forwards (capped at m·v); steady state one forward then one backward;
//    cool-down the backwards left.
// Megatron asserts micro_batches % P == 0 for this schedule (the order above needs whole groups of P).
// With chunk durations F and B the bubble is (P-1)(F+B) (bubble.h), i.e. 1/v of 1F1B's with the same layers
// per rank: the paper's bubble fraction (p-1)/(v·m).

#include <fmt/format.h>

#include <algorithm>

#include "models/schedule/schedule.h"
#include "sim/error.h"

namespace fathom::models::schedule {

Schedule make_interleaved_1f1b(const ScheduleParams& params) {
  const int P = params.ranks;
  const int C = params.micro_batches;
  const int V = params.virtual_stages;
  if (P < 1 || C < 1 || V < 1) {
    throw InputError(fmt::format(
        "schedule interleaved_1f1b: needs ranks >= 1, micro_batches >= 1 and virtual_stages >= 1 (got ranks={}, "
        "micro_batches={}, virtual_stages={})",
        P, C, V));
  }
  if (C % P != 0) {
    throw InputError(
        fmt::format("schedule interleaved_1f1b: micro_batches must be a multiple of ranks (Megatron-LM's interleaved "
                    "schedule; got ranks={}, micro_batches={})",
                    P, C));
  }
  Schedule s{"interleaved_1f1b", P, C, P * V, V, std::vector<std::vector<Unit>>(P)};
  const int total = C * V;
  const int group = P * V;
  auto chunk_of = [&](int k, bool forward) {
    const int c = (k % group) / P;
    return forward ? c : V - 1 - c;
  };
  auto micro_batch_of = [&](int k) { return (k / group) * P + (k % group) % P; };
  for (int r = 0; r < P; ++r) {
    auto& units = s.per_rank[r];
    auto pass = [&](PassKind kind, int k) {
      const int c = chunk_of(k, kind == PassKind::kForward);
      units.push_back(Unit::single({kind, c, micro_batch_of(k), c * P + r}));
    };
    const int warmup = std::min(2 * (P - r - 1) + (V - 1) * P, total);
    for (int k = 0; k < warmup; ++k) pass(PassKind::kForward, k);
    for (int k = 0; k < total - warmup; ++k) {
      pass(PassKind::kForward, warmup + k);
      pass(PassKind::kBackwardFull, k);
    }
    for (int k = total - warmup; k < total; ++k) pass(PassKind::kBackwardFull, k);
  }
  return s;
}

}  // namespace fathom::models::schedule
