#pragma once
// Parameter counts, KV-cache size and weight bytes of a model, all derived from the one weight
// inventory in models/weights.h.
//
// Conventions (DeepSeek-V3 technical report / README_WEIGHTS):
//  - params_total is the main model: embedding + head + all decoder layers + final norm; MTP excluded.
//  - params_activated_per_token counts the embedding and the head, every attention/norm/dense
//    tensor, the router, the shared experts and top-k routed experts of each MoE layer.
//  - params_mtp is the unique parameters of all MTP modules (the embedding and head they share
//    with the main model are not counted again).
//  - Weight bytes: GEMM weight matrices (attention projections, FFN and expert matrices, MTP
//    eh_proj) are stored in the chosen dtype; in FP8 each adds one FP32 scale per
//    block_rows x block_cols block (ceil on both sides). Everything else (norms, embedding, LM
//    head, router gate and bias) stays BF16.

#include <cstdint>

#include "hw/kernel_work.h"
#include "models/model_arch.h"
#include "sim/units.h"

namespace fathom::models {

// Parameter counts (elements).
struct ParamCounts {
  int64_t total = 0;                    // main model, MTP excluded
  int64_t activated_per_token = 0;      // DeepSeek convention (see above)
  int64_t embedding = 0;                // token embedding table
  int64_t head = 0;                     // LM head (0 when tied to the embedding)
  int64_t per_expert = 0;               // one routed expert (gate + up + down)
  int64_t mtp = 0;                      // unique params of all MTP modules
  int64_t mtp_activated_per_token = 0;  // one MTP module's activated params incl. shared embedding+head
  int64_t dense_layer = 0;              // one dense decoder layer (all tensors)
  int64_t moe_layer = 0;                // one MoE decoder layer (all experts)
  int64_t moe_layer_activated = 0;      // one MoE decoder layer, top-k routed + shared experts
  int64_t mtp_module = 0;               // one MTP module (unique params)
};

ParamCounts count_params(const ModelArch& arch);

// Params of one layer of `kind`; `activated` keeps only top-k routed experts.
int64_t layer_params(const ModelArch& arch, LayerKind kind, bool activated);

// KV-cache bytes one token adds to one layer: attention_cache_bytes_per_token_per_layer plus, with
// sparse attention (DeepSeek-V3.2), the indexer's key (index_key_bytes_per_token_per_layer).
Bytes kv_cache_bytes_per_token_per_layer(const ModelArch& arch, hw::DType dtype);
// The attention's own cache of one token in one layer (the indexer's key excluded): MLA
// (kv_lora_rank + qk_rope_head_dim) values, GQA 2 x kv_heads x head_dim values, times
// bytes_per_element(dtype); except MLA with sparse attention (DeepSeek-V3.2) in FP8, FlashMLA's FP8 KV
// layout (published:K06): kv_lora_rank FP8 NoPE values, one FP32 scale per 128 of them, and the RoPE part
// kept in BF16 -- 512 + 16 + 128 = 656 B for V3.2, not 576. What the sparse MLA kernels read per
// selected key and write per new token (models/mla_ops.cpp).
Bytes attention_cache_bytes_per_token_per_layer(const ModelArch& arch, hw::DType dtype);
// Whether the cache is FlashMLA's V3.2 FP8 layout (K06): MLA with sparse attention and an FP8 cache.
bool uses_sparse_mla_fp8_cache_layout(const ModelArch& arch, hw::DType dtype);
// The V3.2 indexer's cached key: index_head_dim FP8 values and one FP32 scale per 128 (the V3.2-Exp
// inference code's act_quant block) whatever the KV dtype; 0 without sparse attention.
Bytes index_key_bytes_per_token_per_layer(const ModelArch& arch);
// The same over the main model's full-attention layers (MTP layers excluded). A sliding-window
// layer keeps only its window per sequence: sliding_window_cache_bytes_per_sequence.
Bytes kv_cache_bytes_per_token(const ModelArch& arch, hw::DType dtype);
// The sliding-window layers' cache of one sequence at full window: sliding_window tokens per layer.
Bytes sliding_window_cache_bytes_per_sequence(const ModelArch& arch, hw::DType dtype);

// The KV cache one sequence keeps over the main model's layers (MTP excluded), as a value for code that
// holds no ModelArch: full-attention layers keep every token, sliding-window layers their latest
// min(tokens, window). It is also what moves when a request's cache is transferred (prefill to decode) or
// read back from storage, so every per-request KV byte count goes through `of`.
struct KvCacheSize {
  Bytes full_per_token;       // all full-attention layers (kv_cache_bytes_per_token)
  Bytes sliding_per_token{};  // all sliding-window layers, per token inside the window (0 without one)
  double window = 0;          // tokens a sliding-window layer keeps (0 without one)

  // full_per_token x tokens + sliding_per_token x min(tokens, window).
  Bytes of(double tokens) const;
  // of(tokens) / tokens: the mean bytes per token of a sequence of `tokens` tokens; exactly full_per_token
  // without sliding-window layers (so models without windows price as before, bit for bit).
  Bytes per_token_at(double tokens) const;
};
KvCacheSize kv_cache_size(const ModelArch& arch, hw::DType dtype);
// kv_cache_size(arch, dtype).of(tokens).
Bytes kv_cache_bytes_per_sequence(const ModelArch& arch, hw::DType dtype, double tokens);
// Bytes of one routed-expert weight matrix: tensor_bytes in `gemm_dtype`, or MXFP4 (4.25 bits per
// element: E2M1 values + one E8M0 scale per 32) when the checkpoint says so (gpt-oss).
Bytes routed_expert_matrix_bytes(const ModelArch& arch, int64_t rows, int64_t cols, hw::DType gemm_dtype);

// Weight bytes split into the groups a memory calculator shards differently, for GEMM weights in
// `gemm_dtype` (see the convention above).
struct WeightBytes {
  Bytes attention_per_layer;       // attention projections + their norms + the two layer norms
  Bytes dense_ffn_per_layer;       // one dense FFN
  Bytes router_per_layer;          // one MoE gate
  Bytes per_routed_expert;         // one routed expert
  Bytes shared_experts_per_layer;  // all shared experts of one MoE layer
  Bytes embedding;
  Bytes head;            // LM head + final norm
  Bytes mtp_per_module;  // one MTP module's unique weights (its layer + projection + norms)
  int64_t dense_layers = 0, moe_layers = 0, routed_experts = 0, mtp_modules = 0;

  Bytes moe_layer() const {
    return router_per_layer + per_routed_expert * double(routed_experts) + shared_experts_per_layer;
  }
  Bytes total_main() const;      // the main model
  Bytes total_with_mtp() const;  // main model + MTP modules
};

WeightBytes weight_bytes(const ModelArch& arch, hw::DType gemm_dtype);

// Bytes of one tensor under the convention above (exposed for tests and sharding).
Bytes tensor_bytes(const ModelArch& arch, int64_t rows, int64_t cols, bool quantizable, hw::DType gemm_dtype);

}  // namespace fathom::models
