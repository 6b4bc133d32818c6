// Multi-head latent attention (DeepSeek-V2/V3, V3TR §2.1.1): query and KV low-rank projections,
// decoupled RoPE, attention, output projection. Prefill/training use the naive form (kv_b_proj
// expands the latent into per-head K and V); decode uses the weight-absorbed form (FlashMLA).
// With DeepSeek Sparse Attention (V3.2) the lightning indexer runs first (indexer_ops.cpp) and each
// query attends only its index_topk selected keys, in the absorbed ("MQA mode") form (FlashMLA's
// sparse kernels, K05): the latent cache is gathered per query, never expanded through kv_b_proj.
// Decode always runs that form. A prefill runs it only when it takes fewer FLOPs than the naive form
// over every causal pair; otherwise the naive form runs with the selection as a mask (the V3.2 report's
// "masked MHA mode" for short prefills; which form an engine picks, and where, is assumed by FLOPs).

#include <algorithm>

#include "models/op_builders.h"
#include "models/param_counts.h"

namespace fathom::models::detail {
namespace {

// The query projections; the normed hidden state is quantised once for them and kv_a_proj_with_mqa.
void add_query_projections(const LayerContext& c, int64_t tokens) {
  const ModelArch& a = c.arch;
  const int64_t qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
  if (a.q_lora_rank > 0) {
    add_quantize(c, "q_a_proj_quant", double(tokens), a.hidden);
    add_linear(c, "q_a_proj", tokens, a.hidden, a.q_lora_rank);
    add_rms_norm(c, "q_a_layernorm", double(tokens), a.q_lora_rank);
    add_quantize(c, "q_b_proj_quant", double(tokens), a.q_lora_rank);
    add_linear(c, "q_b_proj", tokens, a.q_lora_rank, a.heads * qk);
    c.out.back().role = OpRole::mla_up_projection;
  } else {
    add_quantize(c, "q_proj_quant", double(tokens), a.hidden);
    add_linear(c, "q_proj", tokens, a.hidden, a.heads * qk);
  }
}

// A batched GEMM per head for the absorbed decode: B tokens x heads, k -> n, weight heads*k*n; its
// input is quantised first when it runs in FP8.
void add_absorbed(const LayerContext& c, std::string name, int64_t tokens, int64_t k, int64_t n) {
  const hw::DType dt = gemm_dtype(c, true);
  add_quantize(c, name + "_quant", double(tokens) * double(c.arch.heads), k);
  add_gemm(c, std::move(name), hw::KernelFamily::dense_gemm, double(tokens) * double(c.arch.heads), tokens,
           c.arch.heads, k, n, dt, tensor_bytes(c.arch, c.arch.heads * n, k, true, c.options.weight_dtype));
}

// Prefill with sparse attention: whether the absorbed sparse form takes fewer FLOPs (attention plus
// the absorb GEMMs) than the naive form over every causal pair (attention plus kv_b_proj).
bool sparse_form_cheaper(const ModelArch& a, const TokenShape& t) {
  const double heads = double(a.heads);
  const double latent = double(a.kv_lora_rank + a.qk_rope_head_dim);
  const int64_t prefix = t.seq_kv - t.seq_q;
  const double naive =
      2.0 * heads * double(a.qk_head_dim() + a.v_head_dim) * causal_pairs(t.sequences, t.seq_q, prefix) +
      2.0 * double(t.sequences * t.seq_kv) * double(a.kv_lora_rank) * heads * double(a.qk_nope_head_dim + a.v_head_dim);
  const double sparse =
      2.0 * heads * (latent + double(a.kv_lora_rank)) *
          capped_causal_pairs(t.sequences, t.seq_q, prefix, a.index_topk) +
      2.0 * double(t.tokens()) * heads * double(a.kv_lora_rank) * double(a.qk_nope_head_dim + a.v_head_dim);
  return sparse < naive;
}

// model.attention_dtype fp8 (inference only): the attention kernel's QK and PV products in FP8, priced at
// the GPU's FP8 peak with its family's efficiency curve (mla_decode or attention_prefill), in decode and
// prefill, dense and sparse alike: a what-if (FlashMLA's FP8-KV kernels dequantise to BF16 MMAs, K04/K05;
// model them with kv_cache_dtype fp8 and attention_dtype bf16). Its bytes stay those of its operands as
// their producers write them (the activation dtype; the cache at attention_cache_bytes_per_token_per_layer).
void set_attention_math_dtype(const LayerContext& c, Op& attn) {
  if (c.options.attention_dtype) attn.work.dtype = *c.options.attention_dtype;
}

}  // namespace

void add_mla_ops(const LayerContext& c, const TokenShape& t) {
  const ModelArch& a = c.arch;
  const int64_t T = t.tokens();
  const int64_t qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
  const int64_t latent = a.kv_lora_rank + a.qk_rope_head_dim;  // cached values per token per layer
  const double act = act_bytes(c);

  add_query_projections(c, T);
  add_linear(c, "kv_a_proj_with_mqa", T, a.hidden, latent);
  c.out.back().input_shared = true;  // the same quantised input as q_a_proj (q_proj)
  add_rms_norm(c, "kv_a_layernorm", double(T), a.kv_lora_rank);
  // RoPE on every head's q_rope and the single shared k_rope.
  add_rope(c, "rope", double(T) * double(a.heads * a.qk_rope_head_dim + a.qk_rope_head_dim));
  if (a.sparse_attention()) add_indexer_ops(c, t);

  Op attn = attention_op(c, t);
  // Bytes of one token's latent in the cache: latent x kv_bytes, or FlashMLA's V3.2 FP8 layout (656 B, K06).
  const double cached_row = attention_cache_bytes_per_token_per_layer(a, c.options.kv_dtype).value();
  const double cache_write = t.writes_kv_cache() ? double(T) * cached_row : 0.0;
  const double lse = softmax_lse_bytes(c, t);

  if (a.sparse_attention() && (t.step == Step::decode || sparse_form_cheaper(a, t))) {
    // Each query attends min(position + 1, index_topk) latent rows, gathered by index for all heads.
    add_absorbed(c, "q_absorb_w_uk", T, a.qk_nope_head_dim, a.kv_lora_rank);
    const int64_t prefix = t.seq_kv - t.seq_q;
    const double pairs = capped_causal_pairs(t.sequences, t.seq_q, prefix, a.index_topk);
    const bool decode = t.step == Step::decode;
    attn.work.family = decode ? hw::KernelFamily::mla_decode : hw::KernelFamily::attention_prefill;
    set_attention_math_dtype(c, attn);
    attn.work.seq_kv = std::min(t.seq_kv, a.index_topk);
    attn.work.head_dim_qk = latent;
    attn.work.head_dim_v = a.kv_lora_rank;
    attn.work.flops = Flops(2.0 * double(a.heads) * pairs * double(latent + a.kv_lora_rank));
    attn.work.bytes_read = Bytes(pairs * (cached_row + 4.0) + double(T * a.heads * latent) * act);
    attn.work.bytes_written = Bytes(double(T * a.heads * a.kv_lora_rank) * act + cache_write + lse);
    c.out.push_back(attn);
    add_absorbed(c, "o_absorb_w_uv", T, a.kv_lora_rank, a.v_head_dim);
  } else if (t.step == Step::decode) {
    // Absorbed: q_nope (128/head) x W_UK -> 512-dim latent query; scores over the 576-value latent
    // cache (512 + 64 rope); P x latent (512) per head; then W_UV maps 512 -> v_head_dim.
    add_absorbed(c, "q_absorb_w_uk", T, a.qk_nope_head_dim, a.kv_lora_rank);
    const double keys = double(t.sequences) * double(t.seq_kv);  // (sequence, key) pairs
    attn.work.family = hw::KernelFamily::mla_decode;
    set_attention_math_dtype(c, attn);
    attn.work.head_dim_qk = latent;
    attn.work.head_dim_v = a.kv_lora_rank;
    attn.work.flops = Flops(2.0 * double(a.heads * t.seq_q) * keys * double(latent + a.kv_lora_rank));
    attn.work.bytes_read = Bytes(keys * cached_row + double(T * a.heads * latent) * act);
    attn.work.bytes_written = Bytes(double(T * a.heads * a.kv_lora_rank) * act + cache_write);
    c.out.push_back(attn);
    add_absorbed(c, "o_absorb_w_uv", T, a.kv_lora_rank, a.v_head_dim);
  } else {
    // The cached prefix's latents are expanded too: kv_b_proj runs over every key token.
    const int64_t prefix = t.seq_kv - t.seq_q;
    add_quantize(c, "kv_b_proj_quant", double(t.sequences * t.seq_kv), a.kv_lora_rank);
    add_linear(c, "kv_b_proj", t.sequences * t.seq_kv, a.kv_lora_rank, a.heads * (a.qk_nope_head_dim + a.v_head_dim));
    c.out.back().role = OpRole::mla_up_projection;
    // Causal: S * (L*P + L(L+1)/2) query-key pairs, QK^T over qk dims and PV over v dims.
    const double pairs = causal_pairs(t.sequences, t.seq_q, prefix);
    attn.work.family = hw::KernelFamily::attention_prefill;
    set_attention_math_dtype(c, attn);
    attn.work.head_dim_qk = qk;
    attn.work.head_dim_v = a.v_head_dim;
    attn.work.flops = Flops(2.0 * double(a.heads) * double(qk + a.v_head_dim) * pairs);
    attn.work.bytes_read =
        Bytes(double(T * a.heads * qk + t.sequences * t.seq_kv * a.heads * (qk + a.v_head_dim)) * act);
    attn.work.bytes_written = Bytes(double(T * a.heads * a.v_head_dim) * act + cache_write + lse);
    c.out.push_back(attn);
  }
  add_quantize(c, "o_proj_quant", double(T), a.heads * a.v_head_dim);
  add_linear(c, "o_proj", T, a.heads * a.v_head_dim, a.hidden);
}

}  // namespace fathom::models::detail
