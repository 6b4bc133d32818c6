#pragma once
// Internal to models/: the pieces the layer builders (mla_ops, gqa_ops, dense_ffn_ops, moe_ops,
// layer_ops) share. Callers use models/ops.h.

#include <string>
#include <vector>

#include "models/ops.h"

namespace fathom::models::detail {

// Which step a layer's ops are built for.
enum class Step { prefill, decode, training_forward };

// Token geometry of one layer invocation: `tokens` = sequences x seq_q new tokens, each attending
// causally (prefill) or over seq_kv keys (decode).
struct TokenShape {
  Step step = Step::prefill;
  int64_t sequences = 1;
  int64_t seq_q = 0;   // new tokens per sequence (1 for decode)
  int64_t seq_kv = 0;  // keys per sequence (= seq_q for prefill, the context for decode)
  int64_t tokens() const { return sequences * seq_q; }
  bool writes_kv_cache() const { return step != Step::training_forward; }
};

// What every builder needs; ops are appended to `out`.
struct LayerContext {
  const ModelArch& arch;
  int64_t layer;
  const CostOptions& options;
  std::vector<Op>& out;
};

double act_bytes(const LayerContext& c);  // bytes per activation element
double kv_bytes(const LayerContext& c);   // bytes per KV-cache element
// The dtype a GEMM on a weight of this kind runs in: weight_dtype if quantisable, BF16 otherwise.
hw::DType gemm_dtype(const LayerContext& c, bool quantizable);

// FP8 activations (T26): 1 B per element and one FP32 scale per tile of 128 consecutive elements.
constexpr int64_t kFp8Tile = 128;
// Bytes of one row of `width` GEMM operand elements in `dtype`: FP8 adds ceil(width / 128) FP32 scales.
double operand_row_bytes(hw::DType dtype, int64_t width);
// FP32 scales of 128x1 tiles (along the token axis) of a `width`-wide tensor of `groups` groups of
// `rows_per_group` rows: the transposed copies wgrad reads.
double column_scale_bytes(int64_t width, int64_t groups, int64_t rows_per_group);
// Whether this layer's quantisable GEMMs run in FP8.
bool fp8_gemms(const LayerContext& c);
// The pass that quantises `rows` x `width` activations into FP8 1x128 tiles for the FP8 GEMM(s) that
// read them (role fp8_quantize, 0 FLOPs); nothing when the GEMMs are not FP8 (models/quantize_ops.cpp).
void add_quantize(const LayerContext& c, std::string name, double rows, int64_t width);
// NVFP4's two-level scale: the per-tensor FP32 global scale each quantising pass reads (one per tensor;
// assumed:static, calibrated offline and stored with the checkpoint, as NVFP4 checkpoints' input_scale, so
// the pass needs no amax reduction of its own).
constexpr double kNvfp4GlobalScaleBytes = 4.0;
// The pass that quantises `rows` x `width` BF16 activations into NVFP4 for FP4 expert GEMMs (role
// fp8_quantize, dtype fp4, 0 FLOPs): reads rows x width x act_bytes + kNvfp4GlobalScaleBytes, writes
// rows x operand_row_bytes(fp4, width) = 0.5 B a value + one FP8 scale per 16 values.
void add_nvfp4_quantize(const LayerContext& c, std::string name, double rows, int64_t width);
// The routed experts' input cast in `expert_dtype`: add_nvfp4_quantize for fp4, add_quantize otherwise.
void add_expert_quantize(const LayerContext& c, std::string name, double rows, int64_t width, hw::DType expert_dtype);
// Training with FP8 GEMMs: the casts the backward of `gemm` (`rows` token rows) needs besides its
// dgrad and wgrad: dY to 1x128 tiles for dgrad (appended to `b`), dY and X to 128x1 tiles for wgrad
// (appended to `w`), as Op::output_grad_fp8 and Op::input_shared say.
void add_fp8_backward_casts(const Op& gemm, double rows, std::vector<Op>& b, std::vector<Op>& w);

// A GEMM (or grouped/batched GEMM) of `rows_total` token rows through k -> n, reading `weights`
// bytes of weights. `m` and `groups` fill the KernelWork shape (m per group). An FP8 GEMM reads its
// activation rows with their scales (operand_row_bytes).
void add_gemm(const LayerContext& c, std::string name, hw::KernelFamily family, double rows_total, int64_t m,
              int64_t groups, int64_t k, int64_t n, hw::DType operand, Bytes weights);
// A plain dense GEMM on a rows x cols weight matrix (stored as in param_counts.h).
void add_linear(const LayerContext& c, std::string name, int64_t tokens, int64_t k, int64_t n, bool quantizable = true);
void add_elementwise(const LayerContext& c, std::string name, double flops, double bytes_read, double bytes_written);
// RMSNorm of `tokens` rows of `width`: 4 FLOPs per element (square, sum, scale, weight).
void add_rms_norm(const LayerContext& c, std::string name, double tokens, int64_t width);
// Residual add: 1 FLOP per element, reads two tensors, writes one.
void add_residual(const LayerContext& c, std::string name, double tokens, int64_t width);
// SiLU(gate) * up: 5 FLOPs per output element; reads 2 x width, writes width per token.
void add_swiglu(const LayerContext& c, std::string name, double tokens, int64_t width);
// The attention op of this layer with its shape fields set from `t`; the caller fills family,
// FLOPs and bytes and appends it.
Op attention_op(const LayerContext& c, const TokenShape& t);
// Training only: the FP32 log-sum-exp per query row and head that the attention forward writes for its
// backward (0 in prefill and decode).
double softmax_lse_bytes(const LayerContext& c, const TokenShape& t);
// RoPE on `elements` values: 3 FLOPs each (x*cos + rot(x)*sin), read and written once.
void add_rope(const LayerContext& c, std::string name, double elements);

// Query-key pairs a causal mask keeps over `sequences` sequences of `seq_len`: S * L(L+1)/2.
double causal_pairs(int64_t sequences, int64_t seq_len, int64_t prefix_len = 0);
// The same when each query attends at most `cap` keys, its latest (a sliding window of `cap`) or the
// `cap` an indexer selects (DeepSeek Sparse Attention): sum over queries of min(position + 1, cap).
// cap <= 0: causal_pairs.
double capped_causal_pairs(int64_t sequences, int64_t seq_len, int64_t prefix_len, int64_t cap);

void add_mla_ops(const LayerContext& c, const TokenShape& t);
// DeepSeek-V3.2's lightning indexer for one layer: its projections, its FP8 key cache write, the
// FP8 index logits over every key and the top-k selection (models/indexer_ops.cpp).
void add_indexer_ops(const LayerContext& c, const TokenShape& t);
void add_gqa_ops(const LayerContext& c, const TokenShape& t);
void add_dense_ffn_ops(const LayerContext& c, const TokenShape& t);
void add_moe_ops(const LayerContext& c, const TokenShape& t, const MoeLoad& load);

// Embedding gather of `tokens` BF16 rows (no FLOPs).
void add_embedding(const LayerContext& c, std::string name, int64_t tokens);
// Final RMSNorm + LM head GEMM (BF16) on `logit_tokens` rows; names are prefixed.
void add_lm_head(const LayerContext& c, std::string prefix, int64_t logit_tokens);
// Softmax cross-entropy over the vocabulary in FP32: 3 FLOPs per logit (max, exp-sum, log/select);
// reads the BF16 logits and the int64 labels, writes the FP32 softmax (kept for the backward) and
// the FP32 loss per token.
void add_cross_entropy(const LayerContext& c, std::string name, int64_t tokens);

// Every op of one decoder layer (main or MTP) for the step, without backward. An MTP module also
// computes logits for `logit_tokens` through the shared head (and its loss when training).
std::vector<Op> layer_forward_ops(const ModelArch& arch, int64_t layer, const TokenShape& t, const CostOptions& options,
                                  const MoeLoad& load, int64_t logit_tokens);

}  // namespace fathom::models::detail
