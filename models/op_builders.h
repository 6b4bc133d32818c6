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

// A GEMM (or grouped/batched GEMM) of `rows_total` token rows through k -> n, reading `weights`
// bytes of weights. `m` and `groups` fill the KernelWork shape (m per group).
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
// RoPE on `elements` values: 3 FLOPs each (x*cos + rot(x)*sin), read and written once.
void add_rope(const LayerContext& c, std::string name, double elements);

// Query-key pairs a causal mask keeps over `sequences` sequences of `seq_len`: S * L(L+1)/2.
double causal_pairs(int64_t sequences, int64_t seq_len, int64_t prefix_len = 0);

void add_mla_ops(const LayerContext& c, const TokenShape& t);
void add_gqa_ops(const LayerContext& c, const TokenShape& t);
void add_dense_ffn_ops(const LayerContext& c, const TokenShape& t);
void add_moe_ops(const LayerContext& c, const TokenShape& t, const MoeLoad& load);

// Embedding gather of `tokens` BF16 rows (no FLOPs).
void add_embedding(const LayerContext& c, std::string name, int64_t tokens);
// Final RMSNorm + LM head GEMM (BF16) on `logit_tokens` rows; names are prefixed.
void add_lm_head(const LayerContext& c, std::string prefix, int64_t logit_tokens);
// Softmax cross-entropy over the vocabulary: 3 FLOPs per logit (max, exp-sum, log/select).
void add_cross_entropy(const LayerContext& c, std::string name, int64_t tokens);

// Every op of one decoder layer (main or MTP) for the step, without backward. An MTP module also
// computes logits for `logit_tokens` through the shared head (and its loss when training).
std::vector<Op> layer_forward_ops(const ModelArch& arch, int64_t layer, const TokenShape& t, const CostOptions& options,
                                  const MoeLoad& load, int64_t logit_tokens);

}  // namespace fathom::models::detail
