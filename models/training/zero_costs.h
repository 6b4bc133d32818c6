#pragma once
// The end of a step under ZeRO-1 data parallelism (ZeRO: Rajbhandari et al. 2020, stage 1; V3TR §3.2):
// each chunk's accumulated gradients are reduce-scattered over the replicas that hold the same
// parameters, each GPU runs AdamW on its shard, and the updated parameters are all-gathered.
// Dense parameters (attention, dense FFN, shared experts, router, embedding, head) are replicated on
// every GPU of a stage (dp of them); routed experts on expert_dp GPUs.
//
// Collectives: NCCL-style ring, alpha-beta: (n - 1) * latency + (n - 1) / n * bytes / bandwidth, at the
// per-GPU scale-out NIC bandwidth and latency (one NIC per GPU, rail-aligned, so each plane carries its own GPUs;
// intra-node hops are not priced separately) -- unless the stage's GPUs, and so both its data-parallel groups, lie
// in one NVLink domain (TrainingLayout::dp_in_one_domain, e.g. a 72-GPU stage on one NVL72 rack): then the rings
// run at the domain's NVLink bandwidth and latency (intra_node). Optimizer: one memory-bound elementwise pass over the
// local shard, reading master weights, gradients and both moments, writing master weights, moments
// and the compute copy of the parameters, priced by the kernel cost model.

#include <cstdint>
#include <vector>

#include "hw/kernel_cost_model.h"
#include "hw/node_spec.h"
#include "models/training/block_costs.h"
#include "models/training/training_layout.h"
#include "models/training/training_spec.h"

namespace fathom::models::training {

// Parameters a rank holds for one chunk (stage), split by the group that shares them.
struct ChunkParams {
  int64_t dense = 0;   // shared with the dp GPUs of the stage
  int64_t expert = 0;  // shared with the expert_dp GPUs holding the same experts
  // Of `dense`, those the TP group holds whole (BlockCost::tp_replicated_params): gradients all-reduced over TP.
  int64_t tp_replicated = 0;
};

// The parameters of a run of blocks (a stage), split by the group that shares them.
ChunkParams chunk_params(const std::vector<BlockCost>& blocks);

// What one GPU puts on its NIC for one ring collective (alpha-beta): (n - 1) / n of the full buffer,
// after (n - 1) step latencies. Nothing for n <= 1 or an empty buffer.
struct RingTransfer {
  double bytes = 0;
  double latency_s = 0;
  bool over_nvlink = false;  // the ring stays inside one NVLink domain: intra_node bandwidth, not the NIC's
};
RingTransfer ring_transfer(double bytes, int64_t n, const hw::NodeSpec& node, bool over_nvlink = false);

// Ring time of a reduce-scatter or all-gather of `bytes` (the full, unsharded buffer) over n GPUs:
// latency + bytes / the per-GPU scale-out bandwidth (hw::scaleout_bandwidth_per_gpu).
double ring_collective_s(double bytes, int64_t n, const hw::NodeSpec& node);

// The rings of one chunk's gradient reduce-scatter: dense parameters over dp, then expert parameters
// over expert_dp, back to back on the same NIC; under TP (tp > 1) then the all-reduce of the replicated
// parameters' gradients over the TP group (tp_all_reduce_transfer).
std::vector<RingTransfer> gradient_reduce_scatter_transfers(const ChunkParams& p, const TrainingSpec& spec,
                                                            const TrainingLayout& layout, const hw::NodeSpec& node);
// The rings of the all-gather of the updated parameters of all chunks of a rank (same order).
std::vector<RingTransfer> parameter_all_gather_transfers(const ChunkParams& all, const TrainingSpec& spec,
                                                         const TrainingLayout& layout, const hw::NodeSpec& node);
// The all-reduce of `bytes` over the tp GPUs of a TP group (one NVLink domain: models/tensor_parallel.h), as a
// ring reduce-scatter then all-gather: 2 (tp - 1) / tp of the bytes and 2 (tp - 1) NVLink latencies, over_nvlink.
// Nothing for tp <= 1 or no bytes.
RingTransfer tp_all_reduce_transfer(double bytes, int64_t tp, const hw::NodeSpec& node);
// Rings back to back: the sum of their latencies and bytes / the per-GPU scale-out bandwidth (intra_node's for a
// ring over_nvlink).
double rings_s(const std::vector<RingTransfer>& rings, const hw::NodeSpec& node);
// The collectives' times (rings_s of the transfers above).
double gradient_reduce_scatter_s(const ChunkParams& p, const TrainingSpec& spec, const TrainingLayout& layout,
                                 const hw::NodeSpec& node);
double parameter_all_gather_s(const ChunkParams& all, const TrainingSpec& spec, const TrainingLayout& layout,
                              const hw::NodeSpec& node);
// Parameters of a rank's ZeRO-1 shard over all its chunks: dense / dp + expert / expert_dp (what its
// optimizer updates and keeps master weights and moments for).
double zero1_shard_params(const ChunkParams& all, const TrainingLayout& layout);
// AdamW over the rank's shard of all its chunks.
double optimizer_step_s(const ChunkParams& all, const TrainingSpec& spec, const TrainingLayout& layout,
                        const hw::KernelCostModel& cost_model);

}  // namespace fathom::models::training
