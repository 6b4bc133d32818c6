#pragma once
// Pipeline schedules as plain data: for each pipeline rank, the ordered list of compute units it
// runs in one training step (issue #5). No timing and no SimGrid here; task_graph.h turns a Schedule
// into a DAG and evaluator.h times it. See docs/schedules.md.

#include <optional>
#include <string>
#include <vector>

namespace fathom::models::schedule {

// What one pass over one model chunk computes.
enum class PassKind {
  kForward,        // F
  kBackwardFull,   // B: input and weight gradients together (1F1B, and DualPipe without zero-bubble split)
  kBackwardInput,  // B with W deferred: input gradient only (duration B - W)
  kWeight,         // W: the deferred weight gradient
};

// One pass of one micro-batch over one model chunk.
// `stage` is the position along the micro-batch's path (0 = where it enters the pipeline); the data
// dependencies of task_graph.h are expressed in (micro_batch, stage) only.
struct Pass {
  PassKind kind = PassKind::kForward;
  int phase = 0;        // the rank-local chunk/phase index (DualPipe's `phase`; always 0 for 1F1B/ZB1P)
  int micro_batch = 0;  // 0 .. C-1, unique within the step
  int stage = 0;        // 0 .. stages-1 along the micro-batch's path

  friend bool operator==(const Pass&, const Pass&) = default;
};

// What a unit is, for timing: F, full B, B (input only), W, or an overlapped F&B pair.
enum class UnitKind { kForward, kBackwardFull, kBackwardInput, kWeight, kForwardBackward };

// One entry in a rank's program: a single pass, or (kForwardBackward) a forward and a backward of two
// different micro-batches run as one overlapped unit (DeepSeek-V3 report §3.2.1, Figure 4).
struct Unit {
  UnitKind kind = UnitKind::kForward;
  Pass first;                  // the pass, or the forward of an F&B pair
  std::optional<Pass> second;  // the backward (full) of an F&B pair

  static Unit single(const Pass& p);
  static Unit overlapped(const Pass& forward, const Pass& backward);
};

// Input of every schedule generator.
struct ScheduleParams {
  int ranks = 0;           // P pipeline ranks (devices)
  int micro_batches = 0;   // C micro-batches per training step
  int virtual_stages = 1;  // v model chunks per rank (interleaved 1F1B only; the others hold 1 or 2 by design)
};

// A generated schedule: per rank, its units in program order.
struct Schedule {
  std::string name;
  int ranks = 0;
  int micro_batches = 0;
  int stages = 0;           // stages along a micro-batch's path: P, 2P for DualPipeV, P·v for interleaved
  int chunks_per_rank = 0;  // model chunks held per rank: 1 (1F1B, ZB1P), 2 (DualPipe, DualPipeV), v (interleaved)
  // The units; every field above is copied without them into ScheduleDigest::header (schedule_digest.cpp).
  std::vector<std::vector<Unit>> per_rank;
};

// Generators (pure; throw InputError with one line when the parameters are impossible).
// 1F1B (Megatron-LM non-interleaved): P >= 1, C >= 1.
Schedule make_1f1b(const ScheduleParams& params);
// ZB1P / ZB-H1 (Qi et al. 2023, "Zero Bubble Pipeline Parallelism"): P >= 1, C >= 1.
Schedule make_zb1p(const ScheduleParams& params);
// DualPipe (DeepSeek-V3 report §3.2.1; deepseek-ai/DualPipe @ 3da1bbe dualpipe.py): P even, C even, C >= 2P.
Schedule make_dualpipe(const ScheduleParams& params);
// DualPipeV (deepseek-ai/DualPipe @ 3da1bbe dualpipev.py): P >= 1, C >= 2P.
Schedule make_dualpipev(const ScheduleParams& params);

// Interleaved 1F1B (Megatron-LM; Narayanan et al. 2021 §2.2.2): P >= 1, v >= 1, C a multiple of P.
// P·v stages; rank r holds stages r, P + r, ..., (v-1)·P + r. v = 1 is 1F1B.
Schedule make_interleaved_1f1b(const ScheduleParams& params);

// Short names for printing units and kinds (durations live in evaluator.h).
std::string to_string(PassKind kind);
std::string to_string(UnitKind kind);
std::string to_string(const Unit& unit);  // e.g. "F0/3", "B1/7", "W0/2", "F0/3&B1/7" (phase/micro-batch)

// Peak, per rank, of the number of chunk activations held: +1 at each forward, -1 at each backward
// (full or input-only), walked in program order; inside an F&B unit the forward counts first.
// This reproduces the activation column of published-figures.md §3d (1F1B: P on rank 0; DualPipe P+1).
std::vector<int> peak_activations(const Schedule& schedule);

// The model stages each rank holds, ascending: the stages of the passes of its units.
std::vector<std::vector<int>> held_stages(const Schedule& schedule);

}  // namespace fathom::models::schedule
