#pragma once
// The model cut into pipeline stages, and the duration of every kind of schedule unit on a stage.
//
// Partition (choice; the papers give none): the embedding goes to the first stage, the head and the
// MTP modules to the last; the decoder layers are cut into contiguous runs of at least one layer each
// so that the largest stage compute (F + B + W, embedding/head/MTP included) is as small as possible
// (exact min-max partition by dynamic programming). 61 layers on 16 stages therefore become uneven
// runs of 3 and 4 layers, with fewer layers where the embedding or head sits.
//
// Unit durations (the rule of docs/training.md §3):
//  - F, B (full), Bi, W run alone: compute at the full SM count, and a standalone chunk's own
//    all-to-alls are exposed (dispatch must end before the experts, combine before the next layer).
//  - F&B (DualPipe's overlapped pair, V3TR §3.2.1 Figure 4): the forward chunk's blocks in order are
//    paired with the backward chunk's blocks in reverse order; each pair takes
//    max(compute'_F + compute'_B + compute'_W, comm_F + comm_B), where compute' is the blocks' compute
//    with communication_sms taken from the GPU (BlockCost::overlapped: every kernel priced at the
//    reduced compute peak, T08); a block without a partner takes compute' + comm. So each
//    micro-batch's all-to-alls run under the other's compute.

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

// One step of a unit on the compute stream: a compute span and the all-to-alls that belong to it.
// The unit's time is the sum of its segments' times (the rule above); the flow level expands each
// segment into a compute task and its all-to-all flows (step_flows.h).
struct UnitSegment {
  double compute_s = 0;                      // at the reduced SMs when the unit is a DualPipe pair
  const BlockCost* forward_comm = nullptr;   // block whose forward dispatch + combine belong here
  const BlockCost* backward_comm = nullptr;  // block whose gradient dispatch + combine belong here
  bool overlapped = false;                   // the all-to-alls run beside the compute (a DualPipe pair), not after it
  double comm_s() const;                     // the closed-form all-to-all time of the segment
  double time_s() const;                     // overlapped: max(compute, comm); else compute + comm
};

// Cuts `blocks` (block_costs order) into `stages` stages; throws std::logic_error if there are fewer
// layers than stages (the parallelism validation rules this out first).
std::vector<Stage> partition_stages(const std::vector<BlockCost>& blocks, int stages);

// The durations of one unit of a schedule.
UnitCost unit_cost(const schedule::Unit& unit, const std::vector<Stage>& stages);

// The same unit as segments in execution order (pointers into `stages`, which must outlive them).
std::vector<UnitSegment> unit_segments(const schedule::Unit& unit, const std::vector<Stage>& stages);

}  // namespace fathom::models::training
