#include "models/deployment/model_memory_facts.h"

#include <algorithm>

#include "models/param_counts.h"

namespace fathom::models {
namespace {

// Peak live activation elements of one layer per token in flight (an estimate; docs/memory.md):
// the residual stream in and out plus the widest intermediate of attention, dense FFN or MoE.
double activation_elements_per_token(const ModelArch& a) {
  const double h = static_cast<double>(a.hidden);
  const double heads = static_cast<double>(a.heads);
  double attention = 0;
  if (a.attention == AttentionKind::mla) {
    // Prefill materialises per-head q, k (nope + rope) and v, plus the compressed latents.
    attention = heads * (2.0 * static_cast<double>(a.qk_head_dim()) + static_cast<double>(a.v_dim())) +
                static_cast<double>(a.q_lora_rank + a.kv_lora_rank + a.qk_rope_head_dim);
  } else {
    attention = heads * static_cast<double>(a.head_dim) * 2.0 +
                2.0 * static_cast<double>(a.kv_heads) * static_cast<double>(a.head_dim);
  }
  const double dense = 3.0 * static_cast<double>(a.intermediate);  // gate, up, activation
  double moe = 0;
  if (a.is_moe()) {
    const double k = static_cast<double>(a.experts_per_token);
    const double inter = static_cast<double>(a.moe_intermediate);
    // Each token is copied to its k experts (dispatch buffer) and expanded there; shared experts too.
    moe = k * (h + 3.0 * inter) + static_cast<double>(a.shared_experts) * 3.0 * inter;
  }
  return 2.0 * h + std::max({attention, dense, moe});
}

}  // namespace

ModelMemoryFacts memory_facts(const ModelChoice& choice) {
  const ModelArch& a = choice.arch;
  const WeightBytes w = weight_bytes(a, choice.weights_dtype);
  ModelMemoryFacts m;
  m.layers = a.layers;
  m.dense_layers = a.dense_layer_count();
  m.routed_experts = a.routed_experts;
  m.attention_per_layer = w.attention_per_layer;
  // Without heads only what TP does not split is left: norms and MLA's q_a / kv_a down-projections.
  ModelArch headless = a;
  headless.heads = 0;
  headless.kv_heads = 0;
  m.attention_replicated_per_layer = weight_bytes(headless, choice.weights_dtype).attention_per_layer;
  m.dense_ffn_per_layer = w.dense_ffn_per_layer;
  m.routed_expert = w.per_routed_expert;
  if (choice.expert_dtype != choice.weights_dtype) {
    // Experts in another dtype (NVFP4: 0.5 B a value plus one FP8 scale per 16 values = values / 8).
    const Bytes values = weight_bytes(a, choice.expert_dtype).per_routed_expert;
    m.routed_expert = choice.expert_dtype == hw::DType::fp4 ? values * (1.0 + 1.0 / 8.0) : values;
  }
  m.shared_experts_per_layer = w.shared_experts_per_layer;
  m.router_per_layer = w.router_per_layer;
  m.embedding = w.embedding;
  m.head = w.head;
  // An MTP module is one decoder layer plus its projection; its routed experts shard over ep.
  const double modules = static_cast<double>(w.mtp_modules);
  m.mtp_layers = w.mtp_modules;
  m.mtp_moe_layers = a.mtp_layer_is_moe ? w.mtp_modules : 0;
  const Bytes mtp_experts = w.per_routed_expert * static_cast<double>(a.routed_experts * m.mtp_moe_layers);
  m.mtp = w.mtp_per_module * modules - mtp_experts;
  m.kv_per_token_per_layer = kv_cache_bytes_per_token_per_layer(a, choice.kv_cache_dtype);
  if (a.sliding_window > 0 && a.layers > 0) {
    m.sliding_layer_fraction = static_cast<double>(a.sliding_layer_count()) / static_cast<double>(a.layers);
    m.sliding_window = a.sliding_window;
  }
  // MLA caches one latent shared by all heads: every tp rank keeps all of it.
  m.kv_sharded_by_tp = a.attention != AttentionKind::mla;
  m.activation_per_token = Bytes(activation_elements_per_token(a) * hw::bytes_per_element(hw::DType::bf16));
  m.logits_per_token = Bytes(static_cast<double>(a.vocab) * 4.0);  // FP32 logits of a sampled token
  return m;
}

}  // namespace fathom::models
