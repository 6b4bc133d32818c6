#pragma once
// The pipeline sends of a training step, one per stage boundary (issue #15): one micro-batch's activations
// (forward) or their gradients (backward) from a rank to its neighbour. A stage's GPUs are consecutive
// (pipeline rank outermost, as Megatron-LM orders ranks: training_layout.h), so GPU i of rank a's stage sends
// to GPU i of rank b's stage (the same data-parallel replica, TP and EP position). When every such pair lies in
// one NVLink (scale-up) domain (hw::scaleup_domain_gpus: a node on HGX, a rack on NVL72) the boundary runs on
// NVLink (intra_node latency + bytes / achievable NVLink bandwidth per GPU), otherwise on the scale-out NIC
// (NIC latency + bytes / NIC bandwidth per GPU). A boundary whose pairs are split between the two (a stage that
// straddles a domain edge) is priced on the NIC: its replicas run in lockstep, the slowest pair sets the pace.
//
// Boundaries: b = 0 .. pp-1 joins rank b and rank (b + 1) mod pp. Every schedule sends between neighbouring
// ranks only: 1F1B, ZB1P and interleaved forward on rank r -> r + 1 and back; interleaved also wraps from the
// last rank to rank 0 for the next virtual stage (boundary pp-1); DualPipe and DualPipeV run one direction
// r -> r + 1 and the other r -> r - 1 (models/schedule/dualpipe*.cpp), the same boundaries.

#include <cstdint>
#include <vector>

#include "hw/node_spec.h"

namespace fathom::models::training {

struct TrainingLayout;

struct PipelineSends {
  double nic_s = 0;               // one send over the scale-out NIC: NIC latency + bytes / NIC bandwidth per GPU
  double nvlink_s = 0;            // one send over NVLink: intra_node latency + bytes / achievable NVLink bandwidth
  std::vector<bool> over_nvlink;  // per boundary (pp of them; none for pp 1)

  // The boundary index of a send between neighbouring ranks; std::logic_error for any other pair.
  int boundary(int from_rank, int to_rank) const;
  bool nvlink(int from_rank, int to_rank) const { return over_nvlink[size_t(boundary(from_rank, to_rank))]; }
  // One send between neighbouring ranks.
  double send_s(int from_rank, int to_rank) const { return nvlink(from_rank, to_rank) ? nvlink_s : nic_s; }
  // Of the pp - 1 boundaries a micro-batch crosses from rank 0 to rank pp-1 (the wrap not counted): on NVLink,
  // on the NIC.
  int nvlink_boundaries() const;
  int nic_boundaries() const;
};

// The sends of `bytes` per micro-batch on `layout` (pp, dp, tp: a stage is dp x tp consecutive GPUs) over `node`.
PipelineSends pipeline_sends(double bytes, const TrainingLayout& layout, const hw::NodeSpec& node);

}  // namespace fathom::models::training
