#pragma once
// The model cut into pipeline stages, and the duration of every kind of schedule unit on a stage.
//
// Partition (choice; the papers give none): the embedding goes to the first stage, the head and the
// MTP modules to the last; the decoder layers are cut into contiguous runs of at least one layer each
// so that the largest stage compute (F + B + W, embedding/head/MTP included) is as small as possible
// (exact min-max partition by dynamic programming). 61 layers on 16 stages therefore become uneven
// runs of 3 and 4 layers, with fewer layers where the embedding or head sits.
//
// Unit durations (the rule of docs/training.md §2): a unit is planned as two streams — the compute stream
// and the all-to-all stream (the communication SMs: one phase at a time) — and its time is the end of both.
//  - Each pass is a chain of components (V3TR §3.2.1 Figure 4; BlockParts). Forward, per block: ATTN,
//    DISPATCH(F), MLP, COMBINE(F), post; the backward, blocks in reverse: post, COMBINE(B), MLP (B and W),
//    DISPATCH(B), ATTN (B and W). A block without all-to-alls has the same components without the phases
//    (a dense layer: attention, FFN, residual; the embedding and the head: one). A component waits for the
//    all-to-all before it in its chain; an all-to-all waits for the component before it and for the
//    all-to-all stream.
//  - F, B (full), Bi, W run alone: one chain at the full SM count; every all-to-all is exposed.
//  - F&B (DualPipe's overlapped pair, Figure 4): both chains at the SMs left beside communication
//    (BlockCost::overlapped, T08), list-scheduled on the compute stream: the ready component first, ties
//    alternating between the chains (the backward first). A backward component runs its B parts first and
//    the all-to-all after it needs only those (its W parts run beside it). In steady state this is Figure
//    4's order: ATTN(F) | MLP(B) MLP(W) | MLP(F) | ATTN(B) ATTN(W), with COMBINE(B) under ATTN(W)+ATTN(F),
//    DISPATCH(F) under MLP(B)+MLP(W), DISPATCH(B) under MLP(W)+MLP(F) and COMBINE(F) under ATTN(B)+ATTN(W).
//    So an all-to-all longer than the compute it hides under is exposed even when the pair's total
//    communication is below its total compute.

#include <array>
#include <map>
#include <string_view>
#include <vector>

#include "models/schedule/schedule.h"
#include "models/training/block_costs.h"

namespace fathom::models::training {

// One pipeline stage: a run of blocks.
struct Stage {
  std::vector<BlockCost> blocks;
  int64_t first_layer = 0, last_layer = -1;  // main decoder layers held (inclusive)
  double compute_s() const;
};

// The cost split of one unit: compute per pass (after any SM-reservation slowdown) and the
// communication left exposed on the compute stream.
struct UnitCost {
  double forward_s = 0;
  double backward_input_s = 0;
  double backward_weight_s = 0;
  double exposed_comm_s = 0;
  double total_s() const { return forward_s + backward_input_s + backward_weight_s + exposed_comm_s; }
};

// An all-to-all phase of a block (V3TR Figure 4's names; BlockCost holds their times).
enum class AllToAllPhase { dispatch, combine, combine_backward, dispatch_backward };
std::string_view to_string(AllToAllPhase phase);  // "DISPATCH(F)", "COMBINE(F)", "COMBINE(B)", "DISPATCH(B)"
double phase_time_s(const BlockCost& block, AllToAllPhase phase);
bool is_forward(AllToAllPhase phase);

// One compute span of a unit: one component of one pass, in stream order; its input-gradient (B) part runs
// before its weight-gradient (W) part.
struct ComputeSpan {
  PassTimes time;      // at the unit's SM count (reduced in a DualPipe pair)
  int waits_for = -1;  // the all-to-all (index into UnitPlan::comm) its chain needs first; -1: none
  // When the data of the all-to-all after it is ready, from the span's start: after its F and B parts in a
  // DualPipe pair (its W parts then run beside that all-to-all, Figure 4's MLP(W) and ATTN(W)); at its end
  // when the unit runs alone.
  double ready_s = 0;
  double time_s() const { return time.total_s(); }
};

// One all-to-all phase of a unit, on the all-to-all stream.
struct CommSpan {
  const BlockCost* block = nullptr;
  AllToAllPhase phase = AllToAllPhase::dispatch;
  int after =
      -1;  // the compute span (index into UnitPlan::compute) whose `ready_s` makes it ready; -1: the unit's start
  double time_s() const { return phase_time_s(*block, phase); }
};

// A unit as two streams (the rule above). Contract: compute spans in stream order; all-to-alls in stream
// order, which is the order of their `after` spans; a span's `waits_for` phase has an `after` below the
// span's own index. The flow level keeps this order whatever the flows' times.
struct UnitPlan {
  std::vector<ComputeSpan> compute;
  std::vector<CommSpan> comm;
  bool overlapped = false;  // a DualPipe F&B pair
};

// The closed-form timeline of a plan from the unit's start: each span starts when its stream is free and
// its predecessor has ended.
struct UnitTimeline {
  std::vector<double> compute_start_s, comm_start_s;
  double end_s = 0;  // the last compute or all-to-all end
};
// `compute_factor` and `comm_factor` multiply every compute span (and its ready point) and every all-to-all
// phase (a perturbed GPU, training_perturbations.h); 1 and 1 is the plan as priced.
UnitTimeline unit_timeline(const UnitPlan& plan, double compute_factor = 1.0, double comm_factor = 1.0);

// Cuts `blocks` (block_costs order) into `stages` stages; throws std::logic_error if there are fewer
// layers than stages (the parallelism validation rules this out first).
// With `ranks` > 0 and more stages than ranks (interleaved 1F1B: stage s on rank s mod ranks) the cuts are
// then moved one layer at a time while that lowers the busiest rank's total (see stage_plan.cpp).
std::vector<Stage> partition_stages(const std::vector<BlockCost>& blocks, int stages, int ranks = 0);

// The durations of one unit of a schedule.
UnitCost unit_cost(const schedule::Unit& unit, const std::vector<Stage>& stages);

// The plan of a unit (pointers into `stages`, which must outlive it).
UnitPlan unit_plan(const schedule::Unit& unit, const std::vector<Stage>& stages);
// A temporary `stages` would leave the plan's pointers dangling (ASan found such a use after free in a test).
UnitPlan unit_plan(const schedule::Unit& unit, std::vector<Stage>&& stages) = delete;

// unit_plan and unit_cost of the units of a step, each distinct unit (kind, passes, stages) planned once.
// Contract: `stages` outlives it; references it returns stay valid while it lives.
class UnitPlans {
 public:
  explicit UnitPlans(const std::vector<Stage>& stages) : stages_(stages) {}
  const UnitPlan& plan(const schedule::Unit& unit) { return entry(unit).plan; }
  const UnitCost& cost(const schedule::Unit& unit) { return entry(unit).cost; }

 private:
  struct Entry {
    UnitPlan plan;
    UnitCost cost;
  };
  const Entry& entry(const schedule::Unit& unit);
  const std::vector<Stage>& stages_;
  std::map<std::array<int, 5>, Entry> cache_;
};

}  // namespace fathom::models::training
