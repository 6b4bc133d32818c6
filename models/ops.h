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
//  - Training backward: a GEMM's B (dX = dY W^T) and W (dW = X^T dY) each cost the forward's
//    2*m*k*n, at their own shapes (hw/kernel_work.h: dgrad m = T, k = n_fwd, n = k_fwd; wgrad
//    m = k_fwd, n = n_fwd, k = T per group). Attention backward (family attention_backward, all in B)
//    counts the same causal query-key pairs as the forward and its 5 matmuls (S = QK^T recomputed,
//    dV = P^T dO, dP = dO V^T, dQ = dS K, dK = dS^T Q): 2*heads*pairs*(3*d_qk + 2*d_v), i.e. 2.5x the
//    forward when d_qk = d_v and 2.6x for MLA (192/128). Elementwise backward is 2x its forward, in B,
//    except residual adds and RoPE (the same work again: a gradient merge, an inverse rotation), casts
//    (none: the FP8 casts of the backward are their own ops) and the ops named in docs/model-cost.md.
//  - GEMM operands (weights and the activations quantised for them) are in weight_dtype; GEMM
//    outputs and elementwise data in activation_dtype; the embedding, LM head and router gate are
//    BF16 GEMMs whatever weight_dtype is (they are not quantised; see param_counts.h).
//  - FP8 GEMMs (T26, V3TR §3.3): each activation a GEMM reads is quantised per 1x128 tile by its own
//    pass before it (BF16 read, FP8 + one FP32 scale per 128 elements written; V3TR §3.5.2 says the
//    BF16 values are read from HBM and the FP8 ones written back), once per tensor, and the GEMM reads
//    the FP8 values and their scales. Training adds, per FP8 GEMM, the quantisation of its output
//    gradient for dgrad (B) and the 128x1 (transposed) copies of X and dY for wgrad (W). Casts,
//    permutations and gathers are data movement: 0 FLOPs (not model FLOPs).

#include <cstdint>
#include <optional>
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
// moe_combine marks the op that reads the routed expert outputs (the gate gradient needs them); the
// add of the routed sum and the shared expert output is a residual_add (its backward needs no input).
enum class OpRole {
  other,
  rms_norm,
  mla_up_projection,
  residual_add,
  rope,
  moe_swiglu,
  moe_combine,
  fp8_quantize,   // an FP8 cast: 1x128 tiles before an FP8 GEMM, or a cast of its backward (no gradient);
                  // also the NVFP4 cast before FP4 expert GEMMs (inference only)
  moe_permute,    // received tokens -> per-expert contiguous rows (prefill, training)
  cross_entropy,  // FP32 softmax cross-entropy over the vocabulary (training)
};

// One kernel of one layer.
struct Op {
  std::string name;    // e.g. "q_a_proj", "attention", "experts_gate_up"
  int64_t layer = -1;  // main layers 0..layers-1, MTP module j at layers + j, -1 = embedding / LM head
  Pass pass = Pass::forward;
  hw::KernelWork work;
  OpRole role = OpRole::other;
  // FP8 training (GEMMs): X is the input of an earlier GEMM of the layer (kv_a_proj_with_mqa reads
  // q_a_proj's), so its quantised and transposed copies are made once, for that GEMM.
  bool input_shared = false;
  // The gradient of this op's output is held in FP8 1x128 tiles (T29: the MoE output gradient is
  // quantised before the backward dispatch): moe_unpermute's backward quantises it, experts_down's
  // dgrad reads it as it is.
  bool output_grad_fp8 = false;
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
  // Routed-expert GEMM operands (weights and dispatched activations); unset = weight_dtype. fp4: NVFP4
  // experts on GPUs with FP4 tensor cores (model.expert_weights_dtype).
  std::optional<hw::DType> expert_dtype{};
  // The MLA attention kernels' math dtype (model.attention_dtype): bf16 (FlashMLA, K01) or fp8 (FlashMLA's
  // FP8 kernels over an FP8 KV cache, K05/K06); unset = activation_dtype.
  std::optional<hw::DType> attention_dtype{};
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
