#pragma once
// Per-layer operator lists of a model for one step: prefill, decode and training (F/B/W), each op a
// named hw::KernelWork. These are what the serving and training simulators price and schedule.
//
// Contract:
//  - Ops describe the whole layer on one device with no parallelism; the parallelism mapping
//    divides them (TP/EP) or replaces the MoE load (MoeLoad) later.
//  - Token counts are arguments (sequences x tokens), never per-token averages; FLOPs and bytes are
//    for the whole invocation. GEMM FLOPs are 2*m*k*n (a multiply-add is 2 FLOPs).
//  - Causal prefill attention counts the query-key pairs a causal mask keeps, L(L+1)/2 per
//    sequence, for both QK^T and PV (not the L^2/2 approximation, not the full L^2).
//  - Decode attention for MLA is the weight-absorbed form (FlashMLA): q_nope is multiplied into the
//    kv_lora latent by W_UK, attention runs over the (kv_lora + rope) latent cache, W_UV maps back.
//  - Training backward: a GEMM's B (dX = dY W^T) and W (dW = X^T dY) each cost 2*m*k*n;
//    attention backward is 2.5x its forward (FlashAttention-2 convention: 5 matmuls vs 2), all in
//    B; elementwise backward is 2x its forward, all in B.
//  - GEMM operands (weights and the activations quantised for them) are in weight_dtype; GEMM
//    outputs and elementwise data in activation_dtype; the embedding, LM head and router gate are
//    BF16 GEMMs whatever weight_dtype is (they are not quantised; see param_counts.h).

#include <cstdint>
#include <string>
#include <vector>

#include "hw/kernel_work.h"
#include "models/model_arch.h"
#include "sim/units.h"

namespace fathom::models {

// The pass of a training op as DualPipe schedules it: forward, backward for inputs, backward for weights.
enum class Pass { forward, backward_input, backward_weight };

// What an op is, where a rule needs more than its kernel family (activation recomputation, the activation
// memory of training: models/training/rank_memory.h).
enum class OpRole { other, rms_norm, mla_up_projection, residual_add, rope, moe_swiglu, moe_combine };

// One kernel of one layer.
struct Op {
  std::string name;    // e.g. "q_a_proj", "attention", "experts_gate_up"
  int64_t layer = -1;  // main layers 0..layers-1, MTP module j at layers + j, -1 = embedding / LM head
  Pass pass = Pass::forward;
  hw::KernelWork work;
  OpRole role = OpRole::other;
};

// Forward ops run again in the backward pass instead of keeping their outputs (V3TR §3.2.3: DeepSeek-V3
// recomputes every RMSNorm and the MLA up-projections q_b_proj and kv_b_proj).
struct RecomputeSet {
  bool rms_norm = false;
  bool mla_up_projection = false;
  bool covers(const Op& op) const {
    return (rms_norm && op.role == OpRole::rms_norm) || (mla_up_projection && op.role == OpRole::mla_up_projection);
  }
};

// Dtypes a scenario chooses for the math and the cache.
struct CostOptions {
  hw::DType weight_dtype = hw::DType::bf16;      // GEMM operands
  hw::DType activation_dtype = hw::DType::bf16;  // GEMM outputs, elementwise data
  hw::DType kv_dtype = hw::DType::bf16;          // KV cache elements
};

// FP8 GEMMs when the checkpoint is FP8 (DeepSeek-V3), BF16 otherwise; BF16 activations and cache.
CostOptions default_cost_options(const ModelArch& arch);

// A prefill (or training micro-batch) of `sequences` sequences of `seq_len` tokens each, from an
// empty context. Serving computes logits for the last token of each sequence only unless
// logits_all_tokens (training always computes them for every token).
// `prefix_len` tokens per sequence are already in the KV cache (prefix-cache hits): the new tokens
// attend to them too, and MLA prefill expands their cached latents through kv_b_proj.
struct PrefillShape {
  int64_t sequences = 1;
  int64_t seq_len = 0;
  bool logits_all_tokens = false;
  int64_t prefix_len = 0;
  int64_t tokens() const { return sequences * seq_len; }
};

// One decode step: `tokens_per_sequence` new tokens (1, or 1 + drafts when verifying MTP
// speculation) for each of `sequences` sequences, each attending over `context` keys. The KV cache
// is read once per sequence whatever tokens_per_sequence is (FlashMLA's s_q).
struct DecodeShape {
  int64_t sequences = 1;
  int64_t context = 0;
  int64_t tokens_per_sequence = 1;
};

// Routed-expert load of one MoE layer. Default (negative fields): all routed experts on this
// device, each receiving the expected tokens * top_k / experts, and the weights read are those of
// the experts at least one token picks, expected E * (1 - (1 - k/E)^tokens) under uniform routing.
// A caller modelling expert parallelism or imbalance sets both: `experts` local experts, each
// receiving `tokens_per_expert` tokens (all of their weights are read).
struct MoeLoad {
  int64_t experts = -1;
  double tokens_per_expert = -1.0;
};

// --- one decoder layer (main layer index 0..layers-1, or layers + j for MTP module j) ---
std::vector<Op> prefill_layer_ops(const ModelArch& arch, int64_t layer, const PrefillShape& shape,
                                  const CostOptions& options, const MoeLoad& load = {});
std::vector<Op> decode_layer_ops(const ModelArch& arch, int64_t layer, const DecodeShape& shape,
                                 const CostOptions& options, const MoeLoad& load = {});
// Forward (no KV-cache write) followed by its B and W ops.
std::vector<Op> training_layer_ops(const ModelArch& arch, int64_t layer, const PrefillShape& shape,
                                   const CostOptions& options, const MoeLoad& load = {});

// --- once per model: embedding lookup (layer -1) and final norm + LM head (layer -1) ---
std::vector<Op> embedding_ops(const ModelArch& arch, int64_t tokens, const CostOptions& options);
std::vector<Op> head_ops(const ModelArch& arch, int64_t logit_tokens, const CostOptions& options);
// Training: embedding F + W (scatter-add of gradients), head F/B/W plus softmax cross-entropy.
std::vector<Op> training_embedding_ops(const ModelArch& arch, int64_t tokens, const CostOptions& options);
std::vector<Op> training_head_ops(const ModelArch& arch, int64_t tokens, const CostOptions& options);

// --- whole model: embedding, every main layer, head; MTP modules appended when include_mtp ---
std::vector<Op> prefill_model_ops(const ModelArch& arch, const PrefillShape& shape, const CostOptions& options,
                                  bool include_mtp = false);
std::vector<Op> decode_model_ops(const ModelArch& arch, const DecodeShape& shape, const CostOptions& options,
                                 bool include_mtp = false);
std::vector<Op> training_model_ops(const ModelArch& arch, const PrefillShape& shape, const CostOptions& options,
                                   bool include_mtp = false);

// The B and W ops that a list of forward ops implies (see the contract above).
std::vector<Op> backward_ops(const std::vector<Op>& forward);
// The recomputation of `ops`' forward ops that `set` covers: the same work again, in B (Pass::backward_input,
// name + ".recompute"). Not model FLOPs (MFU does not count them); executed work.
std::vector<Op> recompute_ops(const std::vector<Op>& ops, const RecomputeSet& set);

Flops total_flops(const std::vector<Op>& ops);
Bytes total_bytes(const std::vector<Op>& ops);  // read + written

std::string_view to_string(Pass p);

}  // namespace fathom::models
