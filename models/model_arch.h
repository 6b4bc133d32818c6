#pragma once
// The architecture of one transformer language model as read from its Hugging Face config.json:
// plain numbers, no behaviour beyond small queries. Every op builder and counter in models/ reads
// only this struct.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fathom::models {

enum class AttentionKind {
  mla,  // multi-head latent attention (DeepSeek-V2/V3): low-rank compressed KV cache + decoupled RoPE
  gqa,  // grouped-query attention (MHA when kv_heads == heads, MQA when kv_heads == 1)
};

// What one decoder layer's feed-forward block is. MTP layers are listed separately (ModelArch::mtp_layers).
enum class LayerKind { dense, moe, mtp };

// Weight quantisation announced by the checkpoint (quantization_config); absent = BF16 weights.
struct WeightQuantization {
  bool fp8 = false;          // quant_method "fp8" (DeepSeek: e4m3, dynamic activation scales)
  int64_t block_rows = 128;  // weight_block_size[0]: one FP32 scale per block_rows x block_cols
  int64_t block_cols = 128;  // weight_block_size[1]
  // quant_method "mxfp4" (gpt-oss): the routed experts' matrices are stored as MXFP4, 4-bit E2M1
  // values with one 8-bit E8M0 scale per 32 (OCP MX spec); everything else stays BF16.
  bool mxfp4_experts = false;
};

// Contract: dimensions are element counts. Fields that do not apply to the architecture are 0
// (e.g. kv_lora_rank for GQA, routed_experts for a dense model). moe_layer has one entry per main
// decoder layer (size == layers); MTP layers are not in it.
struct ModelArch {
  std::string name;        // label (usually the config file name)
  std::string model_type;  // config "model_type", e.g. "deepseek_v3"
  AttentionKind attention = AttentionKind::gqa;

  int64_t hidden = 0;     // hidden_size
  int64_t layers = 0;     // num_hidden_layers (main model, without MTP)
  int64_t vocab = 0;      // vocab_size
  int64_t heads = 0;      // num_attention_heads
  int64_t kv_heads = 0;   // num_key_value_heads (GQA; for MLA the config value, unused by the cache)
  int64_t head_dim = 0;   // GQA per-head dim (head_dim or hidden/heads); MLA: qk_nope + qk_rope
  bool qk_norm = false;   // per-head RMSNorm on q and k before RoPE (Qwen3)
  bool qkv_bias = false;  // q/k/v projections carry biases (gpt-oss attention_bias; Qwen2 always)
  bool o_bias = false;    // the output projection carries a bias (gpt-oss attention_bias)
  // gpt-oss: one learned logit per head joins every softmax denominator (a "sink" no value comes from).
  bool attention_sinks = false;
  // Sliding-window attention: a query attends its `sliding_window` latest keys (itself included) in the
  // layers marked in sliding_layer (one entry per main layer, or empty = no sliding layer).
  int64_t sliding_window = 0;
  std::vector<bool> sliding_layer;

  // DeepSeek Sparse Attention (DeepSeek-V3.2, K05): a lightning indexer (index_heads x index_head_dim
  // FP8 scores against one cached index key per token) picks index_topk keys, and MLA attends only to
  // those. index_topk == 0: dense attention.
  int64_t index_heads = 0;
  int64_t index_head_dim = 0;
  int64_t index_topk = 0;

  // MLA (0 when attention == gqa). q_lora_rank == 0 means no query compression (DeepSeek-V2-Lite).
  int64_t q_lora_rank = 0;
  int64_t kv_lora_rank = 0;
  int64_t qk_nope_head_dim = 0;
  int64_t qk_rope_head_dim = 0;
  int64_t v_head_dim = 0;

  // Feed-forward.
  int64_t intermediate = 0;       // dense FFN intermediate_size
  int64_t moe_intermediate = 0;   // per-expert intermediate size
  int64_t routed_experts = 0;     // n_routed_experts / num_experts
  int64_t shared_experts = 0;     // n_shared_experts (each of width moe_intermediate)
  int64_t experts_per_token = 0;  // num_experts_per_tok (top-k)
  int64_t first_k_dense = 0;      // first_k_dense_replace (informational; moe_layer is authoritative)
  int64_t n_group = 0;            // expert groups for group-limited routing (0/1 = none)
  int64_t topk_group = 0;         // groups each token may use
  bool router_bias = false;       // one value per expert beside the gate (DeepSeek noaux_tc correction, gpt-oss bias)
  bool expert_bias = false;       // each routed expert's gate/up and down projections carry biases (gpt-oss)
  std::vector<bool> moe_layer;    // per main layer: true = MoE FFN, false = dense FFN

  int64_t mtp_layers = 0;         // num_nextn_predict_layers (DeepSeek multi-token prediction modules)
  bool mtp_layer_is_moe = false;  // the MTP module's transformer layer uses the MoE FFN
  bool tie_word_embeddings = false;
  int64_t max_context = 0;  // max_position_embeddings: the longest sequence the model takes (0 = not given)
  WeightQuantization quantization;

  bool is_moe() const { return routed_experts > 0; }
  int64_t moe_layer_count() const;
  int64_t dense_layer_count() const { return layers - moe_layer_count(); }
  LayerKind kind_of_layer(int64_t layer) const;  // layer >= layers -> mtp
  // Per-head query/key width used by attention scores: MLA qk_nope + qk_rope; GQA head_dim.
  int64_t qk_head_dim() const {
    return attention == AttentionKind::mla ? qk_nope_head_dim + qk_rope_head_dim : head_dim;
  }
  int64_t v_dim() const { return attention == AttentionKind::mla ? v_head_dim : head_dim; }
  bool is_sliding(int64_t layer) const;  // main layer attends through the sliding window (MTP: never)
  int64_t sliding_layer_count() const;
  bool sparse_attention() const { return index_topk > 0; }
};

std::string_view to_string(AttentionKind k);
std::string_view to_string(LayerKind k);

}  // namespace fathom::models
