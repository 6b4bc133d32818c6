#pragma once
// Per-GPU memory of each pipeline rank of a training step, against HBM (docs/training.md §5 "Memory
// per rank"; issue #5). One GPU of each rank (every replica of a rank holds the same, up to the EP
// imbalance that the most-loaded GPU of each layer already carries in the block costs):
//  - parameters: the compute copy (training.parameter_gather_dtype, BF16 — the dtype the ZeRO-1
//    all-gather delivers and the optimizer writes; FP8 GEMMs quantise from it on the fly, V3TR §3.3)
//    of every stage the rank holds (two for DualPipe/DualPipeV: 2× parameters, K32/K33); dense params
//    whole, routed experts experts_per_gpu per MoE layer (BlockCost::dense_params / expert_params);
//  - gradients: the full buffer of those parameters at training.gradient_reduce_dtype (FP32, T26),
//    accumulated over the micro-batches before the reduce-scatter;
//  - optimizer: ZeRO-1 master weights + two AdamW moments (T26: FP32, BF16, BF16) for the rank's shard
//    (zero1_shard_params: dense / dp + expert / expert_dp);
//  - activations: an ESTIMATE (not measured) — the saved forward tensors of one micro-batch per stage
//    (activation_bytes below), walked through the schedule's unit order: a micro-batch's tensors
//    live from its F to its B; after an input-only B (Bi) its GEMM inputs stay until its W;
//  - workspace: training.workspace (2 GiB by default, assumed).

#include <vector>

#include "models/ops.h"
#include "models/schedule/schedule.h"
#include "models/training/training_run.h"
#include "sim/provenance.h"

namespace fathom::models::training {

// Bytes one micro-batch leaves stored on a run of forward ops until its backward.
struct ActivationBytes {
  double stored = 0;         // everything the backward reads, held from F until B (or Bi)
  double weight_inputs = 0;  // of which the GEMM inputs W reads (X of dW = X^T dY), held after Bi until W
};

// The estimate for the forward ops among `ops` (other passes ignored). Per op, what its backward reads
// of the forward (the conventions of backward_ops in models/ops.h):
//  - a GEMM: its input X at the GEMM operand dtype — FP8 for FP8 GEMMs (V3TR §3.3.3, T29: activations
//    cached in FP8 for the Linear backward), BF16 for the router, embedding and LM head;
//  - attention: Q, K, V and the output O (FlashAttention backward);
//  - an elementwise op: its input; nothing for residual adds and RoPE (their backward needs no forward
//    tensor) and gathers (no FLOPs);
//  - `fp8_recipe` (T29, V3TR §3.3.3): the MoE SwiGLU inputs (experts_act, shared_act) are cached in
//    FP8 and their outputs recomputed in B, so the following down-projection caches no input (that
//    small recomputation is not priced in the block costs);
//  - recomputation (`recompute`, V3TR §3.2.3): the output of every recomputed op is not stored; its
//    bytes (bytes_written) are subtracted (its own inputs stay stored: other ops' outputs).
//  - `keep_expert_outputs` (training.keep_expert_outputs): the MoE combine keeps its inputs, the expert
//    outputs, for the gate-weight gradient; false: nothing (the gradient <dy, e_i> is taken as
//    <W_down^T dy, h_i> from the recomputed SwiGLU output h_i during the down projection's backward).
// An estimate: tensors read by two ops are counted twice, allocator fragmentation is not modelled.
struct ActivationRules {
  bool fp8_recipe = false;
  bool keep_expert_outputs = true;
};
ActivationBytes activation_bytes(const std::vector<Op>& ops, const RecomputeSet& recompute,
                                 const ActivationRules& rules);

// The estimate per model stage (prediction.stages order), from the forward ops of each stage's blocks
// built as the block costs build them (MoE load of experts_per_gpu experts at the layer's imbalance).
std::vector<ActivationBytes> stage_activation_bytes(const TrainingScenario& s, const std::vector<Stage>& stages);

// Peak activation bytes on each rank: walks the rank's units in program order, adding a stage's
// `stored` at each F, releasing it at a full B, releasing all but `weight_inputs` at a Bi and those at
// the W (inside an F&B unit the forward counts first, as schedule::peak_activations does).
std::vector<double> peak_activation_bytes(const schedule::Schedule& schedule,
                                          const std::vector<ActivationBytes>& per_stage);

// Parameter, gradient and optimizer bytes of a rank holding `rank_stages` of `stages`.
struct RankStateBytes {
  double parameters = 0, gradients = 0, optimizer = 0;
};
RankStateBytes rank_state_bytes(const std::vector<Stage>& stages, const std::vector<int>& rank_stages,
                                const TrainingSpec& spec, const TrainingLayout& layout);

struct RankMemory {
  int rank = 0;
  std::vector<int> stages;  // model stages the rank holds
  double parameters_bytes = 0, gradients_bytes = 0, optimizer_bytes = 0;
  double activations_bytes = 0;
  int activation_micro_batches = 0;  // peak micro-batches alive at once (schedule::peak_activations, K30–K33)
  double workspace_bytes = 0;
  double total_bytes = 0;
};

struct TrainingMemory {
  std::vector<RankMemory> per_rank;
  int worst_rank = 0;  // largest total
  double hbm_bytes = 0;
  bool fits = false;                         // the worst rank's total <= HBM
  double headroom_bytes = 0;                 // HBM - the worst rank's total (negative when it does not fit)
  std::vector<ProvenanceEntry> assumptions;  // what the estimate rests on (for the report's assumptions)
};

// The memory of every rank of the final-batch step of `p` (a pure function of the scenario and prediction).
TrainingMemory training_memory(const TrainingScenario& s, const TrainingPrediction& p);

}  // namespace fathom::models::training
