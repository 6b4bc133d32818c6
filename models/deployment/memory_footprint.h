#pragma once
// Per-GPU memory of a deployment: weights (sharded by tp/pp/ep), KV cache, activations and
// workspace, against the GPU's HBM. Answers "does this fit" and "how much context would fit".

#include <cstdint>

#include "models/deployment/parallelism.h"
#include "sim/units.h"

namespace fathom::models {

// What the memory model needs to know about a model, in bytes at the chosen dtypes.
struct ModelMemoryFacts {
  int64_t layers = 0;          // transformer layers of the main model
  int64_t dense_layers = 0;    // layers with a dense FFN (the rest are MoE)
  int64_t routed_experts = 0;  // per MoE layer
  Bytes attention_per_layer;   // attention projections and norms of one layer
  // Of attention_per_layer, what tensor parallelism does not split: the norms, and MLA's down-projections
  // to the latents (q_a_proj, kv_a_proj_with_mqa), kept whole on every TP rank (models/tensor_parallel.h).
  Bytes attention_replicated_per_layer;
  Bytes dense_ffn_per_layer;       // one dense FFN
  Bytes routed_expert;             // one routed expert of one MoE layer
  Bytes shared_experts_per_layer;  // all shared experts of one MoE layer
  Bytes router_per_layer;          // gate weights (+ bias) of one MoE layer
  Bytes embedding;
  Bytes head;
  Bytes mtp;                     // MTP modules' unique weights other than their routed experts
  int64_t mtp_moe_layers = 0;    // MoE layers inside the MTP modules (their experts shard like the main ones)
  int64_t mtp_layers = 0;        // attention layers inside the MTP modules (each adds a KV-cache layer)
  Bytes kv_per_token_per_layer;  // KV cache of one token in one layer
  // Sliding-window attention (gpt-oss, Mistral): the share of the main layers that keep only their latest
  // `sliding_window` tokens per sequence (0: none); MTP layers never slide.
  double sliding_layer_fraction = 0;
  int64_t sliding_window = 0;
  bool kv_sharded_by_tp = true;  // GQA: KV heads split over tp; MLA: the latent is replicated
  Bytes activation_per_token;    // peak live activations of one layer per token in flight
  Bytes logits_per_token;        // vocab logits of one sampled token
};

// The scenario's "memory" section: what is resident on each GPU.
struct MemoryRequest {
  int64_t requests_per_gpu = 1;    // sequences whose KV cache lives on each GPU
  int64_t context_tokens = 0;      // KV tokens per sequence
  int64_t tokens_per_forward = 1;  // tokens in one forward pass (decode batch or prefill chunk)
  bool include_mtp = false;        // MTP module resident (speculative decoding)
  // Shared experts split over tp (Megatron-style TP of the whole layer), or whole on every GPU (the serving
  // engines' TP attention beside an EP MoE block that runs on each GPU's own tokens, tensor_parallel.h).
  bool shared_experts_sharded_by_tp = true;
  Bytes workspace;  // CUDA context, library workspaces, communication buffers
};

struct MemoryFootprint {
  // Weights, split so a user sees what dominates.
  Bytes attention, dense_ffn, routed_experts, shared_experts, router, embedding_and_head, mtp;
  Bytes weights;  // their sum
  Bytes kv_cache;
  Bytes activations;
  Bytes workspace;
  Bytes total;
  Bytes hbm_capacity;
  Bytes headroom;  // capacity - total (negative when it does not fit)
  bool fits = false;
  int64_t layers_on_gpu = 0;
  int64_t routed_experts_on_gpu = 0;           // per MoE layer
  int64_t max_context_tokens_per_request = 0;  // at requests_per_gpu, everything else unchanged (0: none fit)
  int64_t max_requests_at_context = 0;         // at context_tokens
};

// Contract: `p` has been validated against the model; the worst pipeline stage is reported
// (stage 0 holds the embedding and the dense layers, the last stage the head and MTP).
MemoryFootprint memory_footprint(const ModelMemoryFacts& model, const ParallelismSpec& p, const MemoryRequest& req,
                                 Bytes hbm_capacity);

}  // namespace fathom::models
