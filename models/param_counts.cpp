#include "models/param_counts.h"

#include <algorithm>

#include "models/weights.h"

namespace fathom::models {
namespace {

int64_t sum_params(const std::vector<WeightTensor>& tensors, bool activated, const ModelArch& a) {
  int64_t n = 0;
  for (const auto& t : tensors) {
    if (activated && t.group == WeightGroup::routed_experts) {
      n += t.rows * t.cols * a.experts_per_token;
    } else {
      n += t.params();
    }
  }
  return n;
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

int64_t layer_params(const ModelArch& arch, LayerKind kind, bool activated) {
  return sum_params(layer_weights(arch, kind), activated, arch);
}

ParamCounts count_params(const ModelArch& a) {
  ParamCounts c;
  for (const auto& t : model_level_weights(a)) {
    if (t.group == WeightGroup::embedding) c.embedding += t.params();
    if (t.name == "lm_head") c.head += t.params();
    c.total += t.params();
  }
  c.activated_per_token = c.total;
  c.dense_layer = layer_params(a, LayerKind::dense, false);
  if (a.is_moe()) {
    c.moe_layer = layer_params(a, LayerKind::moe, false);
    c.moe_layer_activated = layer_params(a, LayerKind::moe, true);
    c.per_expert = 3 * a.hidden * a.moe_intermediate + (a.expert_bias ? 2 * a.moe_intermediate + a.hidden : 0);
  }
  const int64_t moe_layers = a.moe_layer_count();
  const int64_t dense_layers = a.dense_layer_count();
  c.total += dense_layers * c.dense_layer + moe_layers * c.moe_layer;
  c.activated_per_token += dense_layers * c.dense_layer + moe_layers * c.moe_layer_activated;
  if (a.mtp_layers > 0) {
    c.mtp_module = layer_params(a, LayerKind::mtp, false);
    c.mtp = a.mtp_layers * c.mtp_module;
    c.mtp_activated_per_token = layer_params(a, LayerKind::mtp, true) + c.embedding + c.head;
  }
  return c;
}

Bytes kv_cache_bytes_per_token_per_layer(const ModelArch& a, hw::DType dtype) {
  return attention_cache_bytes_per_token_per_layer(a, dtype) + index_key_bytes_per_token_per_layer(a);
}

bool uses_sparse_mla_fp8_cache_layout(const ModelArch& a, hw::DType dtype) {
  return a.attention == AttentionKind::mla && a.sparse_attention() && dtype == hw::DType::fp8;
}

Bytes attention_cache_bytes_per_token_per_layer(const ModelArch& a, hw::DType dtype) {
  if (uses_sparse_mla_fp8_cache_layout(a, dtype)) {
    // K06 (FlashMLA README): 512 B FP8 NoPE + 16 B (4 FP32 scales, one per 128 values) + 128 B BF16 RoPE.
    const double nope = double(a.kv_lora_rank) * hw::bytes_per_element(hw::DType::fp8);
    const double scales = double(ceil_div(a.kv_lora_rank, 128)) * hw::bytes_per_element(hw::DType::fp32);
    const double rope = double(a.qk_rope_head_dim) * hw::bytes_per_element(hw::DType::bf16);
    return Bytes(nope + scales + rope);
  }
  const int64_t values =
      a.attention == AttentionKind::mla ? a.kv_lora_rank + a.qk_rope_head_dim : 2 * a.kv_heads * a.head_dim;
  return Bytes(double(values) * hw::bytes_per_element(dtype));
}

Bytes index_key_bytes_per_token_per_layer(const ModelArch& a) {
  if (!a.sparse_attention()) return Bytes(0.0);
  return Bytes(double(a.index_head_dim) + 4.0 * double(ceil_div(a.index_head_dim, 128)));
}

Bytes kv_cache_bytes_per_token(const ModelArch& a, hw::DType dtype) {
  return kv_cache_bytes_per_token_per_layer(a, dtype) * double(a.layers - a.sliding_layer_count());
}

Bytes sliding_window_cache_bytes_per_sequence(const ModelArch& a, hw::DType dtype) {
  return kv_cache_bytes_per_token_per_layer(a, dtype) * double(a.sliding_layer_count()) * double(a.sliding_window);
}

Bytes KvCacheSize::of(double tokens) const {
  return full_per_token * tokens + sliding_per_token * std::min(tokens, window);
}

Bytes KvCacheSize::per_token_at(double tokens) const {
  if (sliding_per_token.value() == 0.0 || tokens <= 0.0) return full_per_token;
  return of(tokens) / tokens;
}

KvCacheSize kv_cache_size(const ModelArch& a, hw::DType dtype) {
  const int64_t sliding = a.sliding_layer_count();
  return {.full_per_token = kv_cache_bytes_per_token(a, dtype),
          .sliding_per_token = kv_cache_bytes_per_token_per_layer(a, dtype) * double(sliding),
          .window = sliding > 0 ? double(a.sliding_window) : 0.0};
}

Bytes kv_cache_bytes_per_sequence(const ModelArch& a, hw::DType dtype, double tokens) {
  return kv_cache_size(a, dtype).of(tokens);
}

Bytes routed_expert_matrix_bytes(const ModelArch& a, int64_t rows, int64_t cols, hw::DType gemm_dtype) {
  if (!a.quantization.mxfp4_experts) return tensor_bytes(a, rows, cols, true, gemm_dtype);
  // OCP MX: 4-bit E2M1 elements, one 8-bit E8M0 scale per 32 consecutive elements of a row.
  const double elements = double(rows) * double(cols);
  return Bytes(elements * 0.5 + double(rows) * double(ceil_div(cols, 32)));
}

Bytes tensor_bytes(const ModelArch& a, int64_t rows, int64_t cols, bool quantizable, hw::DType gemm_dtype) {
  const double elements = double(rows) * double(cols);
  if (!quantizable) return Bytes(elements * hw::bytes_per_element(hw::DType::bf16));
  double bytes = elements * hw::bytes_per_element(gemm_dtype);
  if (gemm_dtype == hw::DType::fp8) {
    const int64_t blocks = ceil_div(rows, a.quantization.block_rows) * ceil_div(cols, a.quantization.block_cols);
    bytes += double(blocks) * hw::bytes_per_element(hw::DType::fp32);
  }
  return Bytes(bytes);
}

WeightBytes weight_bytes(const ModelArch& a, hw::DType gemm_dtype) {
  WeightBytes w;
  w.dense_layers = a.dense_layer_count();
  w.moe_layers = a.moe_layer_count();
  w.routed_experts = a.routed_experts;
  w.mtp_modules = a.mtp_layers;
  auto bytes = [&](const WeightTensor& t) { return tensor_bytes(a, t.rows, t.cols, t.quantizable, gemm_dtype); };
  for (const auto& t : model_level_weights(a)) {
    (t.group == WeightGroup::embedding ? w.embedding : w.head) += bytes(t) * double(t.copies);
  }
  // Attention and layer norms are identical in every layer kind; read them from a dense layer.
  for (const auto& t : layer_weights(a, LayerKind::dense)) {
    const Bytes b = bytes(t) * double(t.copies);
    if (t.group == WeightGroup::attention || t.group == WeightGroup::layer_norm) w.attention_per_layer += b;
    if (t.group == WeightGroup::dense_ffn) w.dense_ffn_per_layer += b;
  }
  if (a.is_moe()) {
    for (const auto& t : layer_weights(a, LayerKind::moe)) {
      if (t.group == WeightGroup::router) w.router_per_layer += bytes(t);
      if (t.group == WeightGroup::routed_experts) {  // one copy
        w.per_routed_expert += t.quantizable ? routed_expert_matrix_bytes(a, t.rows, t.cols, gemm_dtype) : bytes(t);
      }
      if (t.group == WeightGroup::shared_experts) w.shared_experts_per_layer += bytes(t);
    }
  }
  if (a.mtp_layers > 0) {
    for (const auto& t : layer_weights(a, LayerKind::mtp)) w.mtp_per_module += bytes(t) * double(t.copies);
  }
  return w;
}

Bytes WeightBytes::total_main() const {
  return embedding + head + attention_per_layer * double(dense_layers + moe_layers) +
         dense_ffn_per_layer * double(dense_layers) + moe_layer() * double(moe_layers);
}

Bytes WeightBytes::total_with_mtp() const { return total_main() + mtp_per_module * double(mtp_modules); }

}  // namespace fathom::models
