#pragma once
// Per-micro-batch costs of each block of the model on one GPU of a training job: compute time of
// its forward (F), input-gradient backward (B) and weight-gradient backward (W) ops from the kernel
// cost model, and the expert-parallel all-to-all time of its forward and backward (DeepEP normal
// kernels, hw/ep_alltoall_cost.h). A block is the embedding, one decoder layer, an MTP module or
// the output head (final norm, LM head, cross-entropy). Each MoE block is priced on its own busiest
// GPU: its expert compute and all-to-all volume scale with that layer's max/mean imbalance factor.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hw/ep_alltoall_cost.h"
#include "hw/kernel_cost_model.h"
#include "hw/node_spec.h"
#include "models/model_arch.h"
#include "models/ops.h"
#include "models/tensor_parallel.h"
#include "models/training/training_layout.h"
#include "models/training/training_spec.h"
#include "sim/units.h"

namespace fathom::models::training {

enum class BlockKind { embedding, layer, mtp, head };

// Compute of a block's passes at one SM count.
struct PassTimes {
  double forward_s = 0, backward_input_s = 0, backward_weight_s = 0;
  double total_s() const { return forward_s + backward_input_s + backward_weight_s; }
  PassTimes& operator+=(const PassTimes& o);
  PassTimes operator-(const PassTimes& o) const;
};

// V3TR §3.2.1 Figure 4's components of a decoder layer's (or MTP module's) compute, around its all-to-alls
// (stage_plan.h): the attention component (ATTN: norms, attention, the router) runs before DISPATCH; `mlp`
// (MLP: the routed and shared experts up to their weighted sum, or a dense layer's FFN) between DISPATCH
// and COMBINE; `post` (from the FFN's residual add on: an MTP module's head too) after COMBINE.
// ATTN = the pass total − mlp − post. Zero for the embedding and the head (one component).
struct BlockParts {
  PassTimes mlp, post;
};

// One block's cost for one micro-batch on the most-loaded GPU of its EP group.
struct BlockCost {
  BlockKind kind = BlockKind::layer;
  int64_t layer = -1;            // decoder layer or MTP layer index (arch.layers + j); -1 otherwise
  bool moe = false;              // has routed experts (all-to-alls)
  double forward_s = 0;          // compute of F at the full SM count
  double backward_input_s = 0;   // compute of B (input gradients)
  double backward_weight_s = 0;  // compute of W (weight gradients)
  // The all-to-all phases of one micro-batch (DeepEP normal kernels), named as V3TR Figure 4 names them:
  double dispatch_s = 0;           // DISPATCH(F): the tokens to their experts (training.dispatch_dtype)
  double combine_s = 0;            // COMBINE(F): the expert outputs back (training.combine_dtype)
  double combine_backward_s = 0;   // COMBINE(B): the output gradient to the experts (backward_dispatch_dtype)
  double dispatch_backward_s = 0;  // DISPATCH(B): the experts' input gradients back (combine_dtype)
  Flops flops;                     // F + B + W FLOPs of this GPU for one micro-batch
  int64_t dense_params = 0;        // parameters replicated on every GPU of the stage (ZeRO over dp)
  int64_t expert_params = 0;       // routed-expert parameters on one GPU (ZeRO over expert_dp)
  // Of dense_params, those every GPU of a TP group holds whole (norms, router, MLA down-projections; tp_shards.h):
  // their gradients are all-reduced over the TP group each step. 0 without TP.
  int64_t tp_replicated_params = 0;
  double expert_imbalance = 1;  // max/mean routed tokens per GPU of this block's layer (1 without routed experts)
  // tokens per GPU of each of this block's all-to-alls: micro-batch tokens × this layer's imbalance
  // (0 without routed experts)
  double alltoall_tokens = 0;
  // Tensor parallelism: the TP all-gathers and reduce-scatters of one pass (F, and again B) of this block; 0
  // without TP. What of them is exposed is included in forward_s and backward_input_s (and `overlapped`): all
  // of it, or with layout.tp_comm_overlap max(0, tp_collective_s - the pass's TP-block GEMM time).
  double tp_collective_s = 0;
  PassTimes tp_gemm;                       // the GEMMs of the TP blocks (attention, a dense FFN), full SMs
  double tp_exposed_forward_s = 0;         // of tp_collective_s, added to forward_s
  double tp_exposed_backward_input_s = 0;  // of tp_collective_s, added to backward_input_s
  // The same compute with only the SMs left beside communication (communication_sms taken, T08): what
  // a DualPipe F&B pair runs at while its all-to-alls are in flight (stage_plan.h).
  PassTimes overlapped;
  // The Figure 4 components of `full()` and of `overlapped` (zero: the whole block is one component).
  BlockParts full_parts, overlapped_parts;

  PassTimes full() const { return {forward_s, backward_input_s, backward_weight_s}; }
  double compute_s() const { return forward_s + backward_input_s + backward_weight_s; }
  double forward_comm_s() const { return dispatch_s + combine_s; }
  double backward_comm_s() const { return combine_backward_s + dispatch_backward_s; }
  std::string label() const;
};

// What one pass's TP collectives (`collectives_s`) add to it: all of it without overlap; with overlap
// (Megatron-LM / Transformer Engine --tp-comm-overlap: each all-gather is pipelined with the column-parallel GEMM
// that consumes it, each reduce-scatter with the row-parallel GEMM that produces it) only what the pass's TP-block
// GEMMs (`tp_gemm_s`) cannot hide: max(0, collectives_s - tp_gemm_s). Assumed: the GEMMs keep their full speed
// beside the transfers (an optimistic bound: TE's userbuffers move data with the copy engines or a few SMs).
double exposed_tp_collectives_s(double collectives_s, double tp_gemm_s, bool overlap);

// Everything the block costing needs. Contract: the referenced objects (and the span's data) outlive it.
struct BlockCostInputs {
  const ModelArch& arch;
  bool include_mtp;
  CostOptions options;
  const TrainingSpec& spec;
  const TrainingLayout& layout;
  const hw::NodeSpec& node;
  const hw::KernelCostModel& cost_model;
  // Optional per-decoder-layer max/mean imbalance (arch.layers entries, indexed by decoder layer; 1 for
  // dense layers), e.g. EPLB's per-layer factors. Empty: spec.expert_imbalance for every MoE layer. MTP
  // modules always use spec.expert_imbalance (with EPLB, the mean over the MoE layers: no load is
  // drawn for them).
  std::span<const double> layer_imbalance = {};
  // The cost model of the GPU with communication_sms taken (GpuSpec::with_compute_sms), for
  // BlockCost::overlapped; null: the full GPU (no SMs reserved).
  const hw::KernelCostModel* overlapped_cost_model = nullptr;
};

// The blocks in model order: embedding, layers 0..L-1, MTP modules (if included), head. Throws
// std::invalid_argument if `layer_imbalance` is non-empty and not arch.layers long.
std::vector<BlockCost> block_costs(const BlockCostInputs& in);

// The TP collectives of one block in one pass (F or B), summed: an all-gather before and a reduce-scatter after
// each TP block in F, their transposes in B, of the micro-batch's BF16 hidden states; the TP blocks are attention
// and an FFN (a dense FFN, or a MoE layer's shared experts, split in training: tp_shards.h), so 4 rings, or 2 for
// a MoE layer without shared experts. Zero without TP.
// An MTP module (`mtp_module`) adds eh_proj's (tp_shards.h: Megatron-Core's ColumnParallelLinear under sequence
// parallelism): forward the all-gather of its 2h-wide input and the gather of its h-wide output, backward the
// reduce-scatter of the input gradient and the all-gather of the output gradient (the backward of the scatter
// to the sequence-parallel region; the gather's own backward is a split): 3 more rings of h-wide hidden states
// per pass.
TpCollective block_tp_collectives_per_pass(const BlockCostInputs& in, bool moe, bool mtp_module);

// The ops of decoder layer (or MTP module) `layer` as block_costs prices them, recompute not included: on the GPU's
// own tokens (micro-batch / tp), and under TP the TP blocks' ops (attention, dense FFN, shared experts) with the
// sharded arch on the whole micro-batch (training_tp_arch, tp_shards.h).
std::vector<Op> training_block_ops(const BlockCostInputs& in, int64_t layer, const MoeLoad& load);

// Which of `ops` (one decoder layer's or MTP module's F, B, W and recomputed ops) belong to Figure 4's MLP
// (1) and post (2) components; 0 = attention (BlockParts). Among the forward ops, MLP begins after the last
// op named "router*" (the router GEMM and its top-k) or, without one, after the first RMSNorm that follows a
// residual add (a dense layer's post-attention norm); post begins at the last residual add after that. A
// B, W or recompute op takes the component of the forward op its name extends ("experts_down.dgrad" ->
// "experts_down"; the longest match); an op matching none takes its predecessor's. Without either
// landmark every op is attention (0).
std::vector<int> layer_component_of_ops(const std::vector<Op>& ops);

// Mean `expert_imbalance` of the blocks with routed experts (MTP modules included); 1 when none has any.
double mean_expert_imbalance(const std::vector<BlockCost>& blocks);

// The expert work of one micro-batch on the most-loaded GPU of an EP group: experts_per_gpu experts, each
// receiving the tokens the ep GPUs of its group route to it (ep * T * top_k / experts on average) times
// the layer's `imbalance`. Empty for a dense model.
MoeLoad ep_moe_load(const ModelArch& arch, const TrainingLayout& layout, double imbalance);

// The shape of one all-to-all of `tokens` tokens per GPU with `dtype` payloads (DeepEP normal kernels).
hw::AllToAllShape alltoall_shape(const BlockCostInputs& in, double tokens, hw::DType dtype);

// Time of one all-to-all of `tokens` tokens per GPU with `dtype` payloads under the layout.
// (0 when ep <= 1).
Seconds ep_alltoall_s(const BlockCostInputs& in, double tokens, hw::DType dtype);

}  // namespace fathom::models::training
