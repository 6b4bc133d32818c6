// Grouped-query attention (Llama/Qwen/Mixtral/gpt-oss): fused QKV projection, optional per-head q/k
// RMSNorm (Qwen3), RoPE, attention over a KV cache of kv_heads heads, output projection.
// Sliding-window layers (Mistral, gpt-oss) attend at most sliding_window keys per query. Projection
// biases (gpt-oss, Qwen2) are added in the GEMM epilogue and priced as free; gpt-oss's attention sinks
// add one logit per query row and head (2 FLOPs each).

#include <algorithm>

#include "models/op_builders.h"
#include "models/param_counts.h"

namespace fathom::models::detail {

void add_gqa_ops(const LayerContext& c, const TokenShape& t) {
  const ModelArch& a = c.arch;
  const int64_t T = t.tokens();
  const int64_t d = a.head_dim;
  const double act = act_bytes(c);
  const int64_t qkv_width = (a.heads + 2 * a.kv_heads) * d;

  add_quantize(c, "qkv_proj_quant", double(T), a.hidden);
  add_linear(c, "qkv_proj", T, a.hidden, qkv_width);
  if (a.qk_norm) add_rms_norm(c, "qk_norm", double(T) * double(a.heads + a.kv_heads), d);
  add_rope(c, "rope", double(T) * double((a.heads + a.kv_heads) * d));

  const int64_t window = a.is_sliding(c.layer) ? a.sliding_window : 0;
  Op attn = attention_op(c, t);
  attn.work.head_dim_qk = d;
  attn.work.head_dim_v = d;
  const double kv_per_token = double(2 * a.kv_heads * d);  // K and V values per token
  const double cache_write = t.writes_kv_cache() ? double(T) * kv_per_token * kv_bytes(c) : 0.0;
  if (t.step == Step::decode) {
    const int64_t keys_per_sequence = window > 0 ? std::min(t.seq_kv, window) : t.seq_kv;
    const double keys = double(t.sequences) * double(keys_per_sequence);
    attn.work.seq_kv = keys_per_sequence;
    attn.work.family = hw::KernelFamily::attention_decode;
    attn.work.flops = Flops(2.0 * double(a.heads * t.seq_q) * keys * double(2 * d));
    attn.work.bytes_read = Bytes(keys * kv_per_token * kv_bytes(c) + double(T * a.heads * d) * act);
  } else {
    attn.work.family = hw::KernelFamily::attention_prefill;
    const int64_t prefix = t.seq_kv - t.seq_q;
    attn.work.flops =
        Flops(2.0 * double(a.heads) * double(2 * d) * capped_causal_pairs(t.sequences, t.seq_q, prefix, window));
    attn.work.bytes_read = Bytes(double(T * a.heads * d) * act + double(t.sequences * t.seq_kv) * kv_per_token * act);
  }
  if (a.attention_sinks) attn.work.flops = attn.work.flops + Flops(2.0 * double(T) * double(a.heads));
  attn.work.bytes_written = Bytes(double(T * a.heads * d) * act + cache_write + softmax_lse_bytes(c, t));
  c.out.push_back(attn);
  add_quantize(c, "o_proj_quant", double(T), a.heads * d);
  add_linear(c, "o_proj", T, a.heads * d, a.hidden);
}

}  // namespace fathom::models::detail
