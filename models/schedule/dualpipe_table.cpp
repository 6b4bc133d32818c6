#include "models/schedule/dualpipe_table.h"

#include <deque>
#include <stdexcept>

namespace fathom::models::schedule::detail {

namespace {

// Emits one rank's units, keeping the per-phase forward/backward counters and the FIFO weight-gradient
// queue of DualPipe's WeightGradStore (a backward run with zero-bubble enabled queues its W; `_weight_chunk`
// pops the oldest).
class RankProgram {
 public:
  explicit RankProgram(const DualPipeRankPlan& plan) : plan_(plan) {}

  Pass next_forward(int phase) {
    return {PassKind::kForward, phase, micro_batch(phase, next_f_[phase]++), plan_.stage[phase]};
  }

  // A backward pass; with `defer_weight` its W is queued and the pass computes the input gradient only.
  Pass next_backward(int phase, bool defer_weight) {
    Pass b{defer_weight ? PassKind::kBackwardInput : PassKind::kBackwardFull, phase,
           micro_batch(phase, next_b_[phase]++), plan_.stage[phase]};
    if (defer_weight) weights_.push_back({PassKind::kWeight, phase, b.micro_batch, b.stage});
    return b;
  }

  void forward(int phase) { units_.push_back(Unit::single(next_forward(phase))); }
  void backward(int phase, bool defer_weight = false) {
    units_.push_back(Unit::single(next_backward(phase, defer_weight)));
  }
  // F&B(f, b): forward of phase f overlapped with a full backward of phase b (`_forward_backward_chunk`).
  void forward_backward(int f, int b) {
    Pass fp = next_forward(f);
    Pass bp = next_backward(b, false);
    units_.push_back(Unit::overlapped(fp, bp));
  }
  void weight() {
    if (weights_.empty()) throw std::logic_error("dualpipe table: W with an empty weight-gradient queue");
    units_.push_back(Unit::single(weights_.front()));
    weights_.pop_front();
  }

  std::vector<Unit> finish() {
    for (int p = 0; p < 2; ++p) {
      if (next_f_[p] != plan_.per_phase || next_b_[p] != plan_.per_phase) {
        throw std::logic_error("dualpipe table: a phase did not get every forward and backward");
      }
    }
    if (!weights_.empty()) throw std::logic_error("dualpipe table: deferred W left at the end");
    return std::move(units_);
  }

 private:
  int micro_batch(int phase, int k) const { return plan_.first_micro_batch[phase] + k; }

  const DualPipeRankPlan& plan_;
  std::array<int, 2> next_f_{};
  std::array<int, 2> next_b_{};
  std::deque<Pass> weights_;
  std::vector<Unit> units_;
};

}  // namespace

std::vector<Unit> dualpipe_rank_units(const DualPipeRankPlan& plan) {
  RankProgram prog(plan);
  const int h = plan.h;
  const int H = plan.half;
  // Step 1: nF0.
  for (int i = 0; i < 2 * (H - h - 1); ++i) prog.forward(0);
  // Step 2: nF0F1.
  for (int i = 0; i < h + 1; ++i) {
    prog.forward(0);
    prog.forward(1);
  }
  // Step 3: nB1W1F1 (zero bubble: the W deferred by B1 runs right after it).
  for (int i = 0; i < H - h - 1; ++i) {
    prog.backward(1, true);
    prog.weight();
    prog.forward(1);
  }
  // Step 4 (main step): nF0B1F1B0. On the middle ranks (DualPipeV: the last rank) the first F0/B1 pair is
  // not overlapped, "to further reduce bubble size" (dualpipe.py, step 4).
  for (int i = 0; i < plan.steady_repeats; ++i) {
    if (i == 0 && plan.unoverlapped_first_steady) {
      prog.forward(0);
      prog.backward(1);
    } else {
      prog.forward_backward(0, 1);
    }
    prog.forward_backward(1, 0);
  }
  // Step 5: nB1F1B0.
  for (int i = 0; i < H - h - 1; ++i) {
    prog.backward(1);
    prog.forward_backward(1, 0);
  }
  // Step 6: nB1B0; zero bubble from the middle repeat on. With h odd the switch happens before that
  // repeat's B1, with h even between its B1 and B0 (dualpipe.py, step 6).
  const int step6 = h + 1;
  bool defer = false;
  for (int i = 0; i < step6; ++i) {
    if (i == step6 / 2 && h % 2 == 1) defer = true;
    prog.backward(1, defer);
    if (i == step6 / 2 && h % 2 == 0) defer = true;
    prog.backward(0, defer);
  }
  // Step 7: nWB0 (zero bubble).
  for (int i = 0; i < H - h - 1; ++i) {
    prog.weight();
    prog.backward(0, true);
  }
  // Step 8: nW.
  for (int i = 0; i < h + 1; ++i) prog.weight();
  return prog.finish();
}

}  // namespace fathom::models::schedule::detail
