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
  // The MTP modules sit on the last stage and keep a KV cache of their own. Sliding-window layers keep at most
  // their window of each sequence (the stage's share of them taken as the model's).
  const bool mtp_here = req.include_mtp && f.mtp.value() > 0;
  const double sliding_layers = static_cast<double>(f.layers_on_gpu) * m.sliding_layer_fraction;
  const double full_layers = static_cast<double>(f.layers_on_gpu + (mtp_here ? m.mtp_layers : 0)) - sliding_layers;
  const Bytes per_layer_token = m.kv_per_token_per_layer / kv_shard;
  const Bytes kv_per_token = per_layer_token * full_layers;            // full-attention layers: every token
  const Bytes kv_per_window_token = per_layer_token * sliding_layers;  // sliding layers: up to the window
  const auto sequence_kv = [&](double tokens) {
    const double windowed = m.sliding_window > 0 ? std::min(tokens, static_cast<double>(m.sliding_window)) : 0.0;
    return kv_per_token * tokens + kv_per_window_token * windowed;
  };
  f.kv_cache = sequence_kv(static_cast<double>(req.context_tokens)) * static_cast<double>(req.requests_per_gpu);
  f.activations = m.activation_per_token * static_cast<double>(req.tokens_per_forward) +
                  m.logits_per_token * static_cast<double>(req.requests_per_gpu);
  f.workspace = req.workspace;
  f.total = f.weights + f.kv_cache + f.activations + f.workspace;
  f.hbm_capacity = hbm_capacity;
  f.headroom = hbm_capacity - f.total;
  f.fits = f.headroom.value() >= 0.0;

  const Bytes free_for_kv = hbm_capacity - (f.weights + f.activations + f.workspace);
  if (free_for_kv.value() > 0.0 && (kv_per_token + kv_per_window_token).value() > 0.0) {
    // The longest context each of requests_per_gpu sequences can hold: every layer grows up to the window,
    // then only the full-attention ones.
    const double per_request = free_for_kv.value() / static_cast<double>(std::max<int64_t>(1, req.requests_per_gpu));
    const double window = static_cast<double>(m.sliding_window);
    const double both = (kv_per_token + kv_per_window_token).value();
    double tokens = per_request / both;
    if (m.sliding_window > 0 && tokens > window) {
      tokens = kv_per_token.value() > 0.0 ? window + (per_request - both * window) / kv_per_token.value() : 1e15;
    }
    f.max_context_tokens_per_request = floor_to_int64(std::min(tokens, 1e15));
    const Bytes at_context = sequence_kv(static_cast<double>(req.context_tokens));
    f.max_requests_at_context =
        req.context_tokens > 0 && at_context.value() > 0.0 ? floor_to_int64(free_for_kv / at_context) : 0;
  }
  return f;
}

}  // namespace fathom::models
