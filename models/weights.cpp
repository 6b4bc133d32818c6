#include "models/weights.h"

namespace fathom::models {
namespace {

void add_attention(const ModelArch& a, std::vector<WeightTensor>& out) {
  const int64_t h = a.hidden;
  const auto G = WeightGroup::attention;
  if (a.attention == AttentionKind::mla) {
    const int64_t qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
    if (a.q_lora_rank > 0) {
      out.push_back({"q_a_proj", a.q_lora_rank, h, 1, G, true});
      out.push_back({"q_a_layernorm", 1, a.q_lora_rank, 1, G, false});
      out.push_back({"q_b_proj", a.heads * qk, a.q_lora_rank, 1, G, true});
    } else {
      out.push_back({"q_proj", a.heads * qk, h, 1, G, true});
    }
    out.push_back({"kv_a_proj_with_mqa", a.kv_lora_rank + a.qk_rope_head_dim, h, 1, G, true});
    out.push_back({"kv_a_layernorm", 1, a.kv_lora_rank, 1, G, false});
    out.push_back({"kv_b_proj", a.heads * (a.qk_nope_head_dim + a.v_head_dim), a.kv_lora_rank, 1, G, true});
    out.push_back({"o_proj", h, a.heads * a.v_head_dim, 1, G, true});
    if (a.sparse_attention()) {
      // DeepSeek-V3.2 lightning indexer (V3.2-Exp inference code, Indexer): index queries from the
      // compressed query, one index key per token (LayerNorm with bias), per-head score weights.
      out.push_back({"indexer.wq_b", a.index_heads * a.index_head_dim, a.q_lora_rank, 1, G, true});
      out.push_back({"indexer.wk", a.index_head_dim, h, 1, G, true});
      out.push_back({"indexer.k_norm", 2, a.index_head_dim, 1, G, false});
      out.push_back({"indexer.weights_proj", a.index_heads, h, 1, G, false});
    }
    return;
  }
  out.push_back({"q_proj", a.heads * a.head_dim, h, 1, G, true});
  out.push_back({"k_proj", a.kv_heads * a.head_dim, h, 1, G, true});
  out.push_back({"v_proj", a.kv_heads * a.head_dim, h, 1, G, true});
  out.push_back({"o_proj", h, a.heads * a.head_dim, 1, G, true});
  if (a.qkv_bias) {
    out.push_back({"q_proj.bias", 1, a.heads * a.head_dim, 1, G, false});
    out.push_back({"k_proj.bias", 1, a.kv_heads * a.head_dim, 1, G, false});
    out.push_back({"v_proj.bias", 1, a.kv_heads * a.head_dim, 1, G, false});
  }
  if (a.o_bias) out.push_back({"o_proj.bias", 1, h, 1, G, false});
  if (a.attention_sinks) out.push_back({"sinks", 1, a.heads, 1, G, false});
  if (a.qk_norm) {
    out.push_back({"q_norm", 1, a.head_dim, 1, G, false});
    out.push_back({"k_norm", 1, a.head_dim, 1, G, false});
  }
}

void add_ffn(const ModelArch& a, bool moe, std::vector<WeightTensor>& out) {
  const int64_t h = a.hidden;
  if (!moe) {
    out.push_back({"mlp.gate_proj", a.intermediate, h, 1, WeightGroup::dense_ffn, true});
    out.push_back({"mlp.up_proj", a.intermediate, h, 1, WeightGroup::dense_ffn, true});
    out.push_back({"mlp.down_proj", h, a.intermediate, 1, WeightGroup::dense_ffn, true});
    return;
  }
  const int64_t f = a.moe_intermediate;
  out.push_back({"mlp.gate", a.routed_experts, h, 1, WeightGroup::router, false});
  if (a.router_bias) {
    // DeepSeek noaux_tc routing: a per-expert score-correction bias; gpt-oss: the router's linear bias.
    const char* name = a.attention == AttentionKind::mla ? "mlp.gate.e_score_correction_bias" : "mlp.gate.bias";
    out.push_back({name, 1, a.routed_experts, 1, WeightGroup::router, false});
  }
  out.push_back({"mlp.experts.gate_proj", f, h, a.routed_experts, WeightGroup::routed_experts, true});
  out.push_back({"mlp.experts.up_proj", f, h, a.routed_experts, WeightGroup::routed_experts, true});
  out.push_back({"mlp.experts.down_proj", h, f, a.routed_experts, WeightGroup::routed_experts, true});
  if (a.expert_bias) {
    // gpt-oss: gate_up_proj_bias (2f) and down_proj_bias (h) per expert, kept in BF16.
    out.push_back({"mlp.experts.gate_up_proj_bias", 1, 2 * f, a.routed_experts, WeightGroup::routed_experts, false});
    out.push_back({"mlp.experts.down_proj_bias", 1, h, a.routed_experts, WeightGroup::routed_experts, false});
  }
  if (a.shared_experts > 0) {
    const int64_t fs = a.shared_experts * f;
    out.push_back({"mlp.shared_experts.gate_proj", fs, h, 1, WeightGroup::shared_experts, true});
    out.push_back({"mlp.shared_experts.up_proj", fs, h, 1, WeightGroup::shared_experts, true});
    out.push_back({"mlp.shared_experts.down_proj", h, fs, 1, WeightGroup::shared_experts, true});
  }
}

}  // namespace

std::vector<WeightTensor> layer_weights(const ModelArch& a, LayerKind kind) {
  std::vector<WeightTensor> out;
  out.push_back({"input_layernorm", 1, a.hidden, 1, WeightGroup::layer_norm, false});
  add_attention(a, out);
  out.push_back({"post_attention_layernorm", 1, a.hidden, 1, WeightGroup::layer_norm, false});
  const bool moe = kind == LayerKind::moe || (kind == LayerKind::mtp && a.mtp_layer_is_moe);
  add_ffn(a, moe, out);
  if (kind == LayerKind::mtp) {
    // DeepSeek-V3 MTP module (V3TR §2.2): RMSNorm the hidden state and the next token's embedding,
    // project concat(2h) -> h, one transformer layer, then the shared head after its own norm.
    const auto G = WeightGroup::mtp_projection;
    out.push_back({"enorm", 1, a.hidden, 1, G, false});
    out.push_back({"hnorm", 1, a.hidden, 1, G, false});
    out.push_back({"eh_proj", a.hidden, 2 * a.hidden, 1, G, true});
    out.push_back({"shared_head.norm", 1, a.hidden, 1, G, false});
  }
  return out;
}

std::vector<WeightTensor> model_level_weights(const ModelArch& a) {
  std::vector<WeightTensor> out;
  out.push_back({"embed_tokens", a.vocab, a.hidden, 1, WeightGroup::embedding, false});
  if (!a.tie_word_embeddings) out.push_back({"lm_head", a.vocab, a.hidden, 1, WeightGroup::head, false});
  out.push_back({"norm", 1, a.hidden, 1, WeightGroup::head, false});
  return out;
}

std::string_view to_string(WeightGroup g) {
  switch (g) {
    case WeightGroup::attention:
      return "attention";
    case WeightGroup::layer_norm:
      return "layer_norm";
    case WeightGroup::dense_ffn:
      return "dense_ffn";
    case WeightGroup::router:
      return "router";
    case WeightGroup::routed_experts:
      return "routed_experts";
    case WeightGroup::shared_experts:
      return "shared_experts";
    case WeightGroup::embedding:
      return "embedding";
    case WeightGroup::head:
      return "head";
    case WeightGroup::mtp_projection:
      return "mtp_projection";
  }
  return "attention";
}

}  // namespace fathom::models
