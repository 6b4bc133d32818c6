#include "models/deployment/memory_footprint.h"

#include <algorithm>
#include <cmath>

namespace fathom::models {
namespace {

// floor(v) as an int64, saturating: a huge HBM over a tiny KV entry must not overflow the cast (UB).
int64_t floor_to_int64(double v) {
  constexpr double kMax = 9.2e18;  // just under INT64_MAX, exactly representable
  if (!(v > 0.0)) return 0;
  return v >= kMax ? static_cast<int64_t>(kMax) : static_cast<int64_t>(std::floor(v));
}

// Weights of one pipeline stage holding `layers` layers of which `dense` are dense-FFN layers.
MemoryFootprint stage_weights(const ModelMemoryFacts& m, const ParallelismSpec& p, int64_t layers, int64_t dense,
                              bool first, bool last, bool include_mtp, bool shared_by_tp) {
  const double tp = static_cast<double>(p.tp);
  const int64_t moe = layers - dense;
  MemoryFootprint f;
  f.layers_on_gpu = layers;
  f.routed_experts_on_gpu = m.routed_experts == 0 ? 0 : (m.routed_experts + p.redundant_experts) / p.ep;
  f.attention = (m.attention_replicated_per_layer + (m.attention_per_layer - m.attention_replicated_per_layer) / tp) *
                static_cast<double>(layers);
  f.dense_ffn = m.dense_ffn_per_layer * (static_cast<double>(dense) / tp);
  f.routed_experts = m.routed_expert * static_cast<double>(f.routed_experts_on_gpu * moe);
  f.shared_experts = m.shared_experts_per_layer * (static_cast<double>(moe) / (shared_by_tp ? tp : 1.0));
  f.router = m.router_per_layer * static_cast<double>(moe);
  // Embedding and head are vocabulary-parallel under tp.
  f.embedding_and_head = ((first ? m.embedding : Bytes(0)) + (last ? m.head : Bytes(0))) / tp;
  if (last && include_mtp) {
    f.mtp = m.mtp / tp + m.routed_expert * static_cast<double>(f.routed_experts_on_gpu * m.mtp_moe_layers);
  }
  f.weights = f.attention + f.dense_ffn + f.routed_experts + f.shared_experts + f.router + f.embedding_and_head + f.mtp;
  return f;
}

}  // namespace

MemoryFootprint memory_footprint(const ModelMemoryFacts& m, const ParallelismSpec& p, const MemoryRequest& req,
                                 Bytes hbm_capacity) {
  const int64_t per_stage = (m.layers + p.pp - 1) / p.pp;
  const int64_t last_stage_layers = m.layers - per_stage * (p.pp - 1);
  MemoryFootprint f = stage_weights(m, p, per_stage, std::min(m.dense_layers, per_stage), true, p.pp == 1,
                                    req.include_mtp, req.shared_experts_sharded_by_tp);
  if (p.pp > 1) {
    const int64_t dense_last = std::max<int64_t>(0, m.dense_layers - per_stage * (p.pp - 1));
    const MemoryFootprint last = stage_weights(m, p, last_stage_layers, dense_last, false, true, req.include_mtp,
                                               req.shared_experts_sharded_by_tp);
    if (last.weights > f.weights) f = last;
  }
  const double kv_shard = m.kv_sharded_by_tp ? static_cast<double>(p.tp) : 1.0;
  // The MTP modules sit on the last stage and keep a KV cache of their own.
  const bool mtp_here = req.include_mtp && f.mtp.value() > 0;
  const double kv_layers = static_cast<double>(f.layers_on_gpu + (mtp_here ? m.mtp_layers : 0));
  const Bytes kv_per_token = m.kv_per_token_per_layer * (kv_layers / kv_shard);
  f.kv_cache = kv_per_token * static_cast<double>(req.requests_per_gpu * req.context_tokens);
  f.activations = m.activation_per_token * static_cast<double>(req.tokens_per_forward) +
                  m.logits_per_token * static_cast<double>(req.requests_per_gpu);
  f.workspace = req.workspace;
  f.total = f.weights + f.kv_cache + f.activations + f.workspace;
  f.hbm_capacity = hbm_capacity;
  f.headroom = hbm_capacity - f.total;
  f.fits = f.headroom.value() >= 0.0;

  const Bytes free_for_kv = hbm_capacity - (f.weights + f.activations + f.workspace);
  if (free_for_kv.value() > 0.0 && kv_per_token.value() > 0.0) {
    const double tokens = free_for_kv / kv_per_token;
    f.max_context_tokens_per_request =
        floor_to_int64(tokens / static_cast<double>(std::max<int64_t>(1, req.requests_per_gpu)));
    f.max_requests_at_context =
        req.context_tokens > 0 ? floor_to_int64(tokens / static_cast<double>(req.context_tokens)) : 0;
  }
  return f;
}

}  // namespace fathom::models
