#include "models/arch_builders.h"

#include <fmt/format.h>

#include <algorithm>

namespace fathom::models::detail {

int64_t positive_integer(const SpecReader& config, std::string_view key) {
  return config.at_least(key, config.integer(key), 1);
}

int64_t optional_integer(const SpecReader& config, std::string_view key, int64_t fallback) {
  if (!config.has(key) || config.raw(key).is_null()) return fallback;
  return config.at_least(key, config.integer(key), 0);
}

WeightQuantization read_quantization(const SpecReader& config) {
  WeightQuantization q;
  if (!config.has("quantization_config") || config.raw("quantization_config").is_null()) return q;
  const SpecReader quant = config.child("quantization_config");
  const std::string method = quant.text("quant_method");
  if (method != "fp8") quant.fail("quant_method", fmt::format("\"{}\" is not supported (only \"fp8\")", method));
  q.fp8 = true;
  if (quant.has("weight_block_size") && !quant.raw("weight_block_size").is_null()) {
    const std::vector<double> block = quant.numbers("weight_block_size");
    if (block.size() != 2 || block[0] < 1 || block[1] < 1) {
      quant.fail("weight_block_size", "expected two positive integers, e.g. [128, 128]");
    }
    q.block_rows = static_cast<int64_t>(block[0]);
    q.block_cols = static_cast<int64_t>(block[1]);
  }
  return q;
}

namespace {

// Fields every decoder-only config shares.
void read_common(const SpecReader& config, ModelArch& arch) {
  arch.hidden = positive_integer(config, "hidden_size");
  arch.layers = positive_integer(config, "num_hidden_layers");
  arch.vocab = positive_integer(config, "vocab_size");
  arch.heads = positive_integer(config, "num_attention_heads");
  arch.kv_heads = optional_integer(config, "num_key_value_heads", arch.heads);
  if (arch.kv_heads < 1) config.fail("num_key_value_heads", "must be at least 1");
  arch.tie_word_embeddings = config.has("tie_word_embeddings") && config.boolean("tie_word_embeddings");
  arch.quantization = read_quantization(config);
}

// GQA attention fields: head_dim defaults to hidden / heads; heads must be a multiple of kv_heads.
void read_gqa(const SpecReader& config, ModelArch& arch) {
  arch.attention = AttentionKind::gqa;
  if (arch.heads % arch.kv_heads != 0) {
    config.fail("num_key_value_heads",
                fmt::format("{} does not divide num_attention_heads {}", arch.kv_heads, arch.heads));
  }
  arch.head_dim = optional_integer(config, "head_dim", 0);
  if (arch.head_dim == 0) {
    if (arch.hidden % arch.heads != 0)
      config.fail("head_dim", "required key is missing (hidden_size / heads is not whole)");
    arch.head_dim = arch.hidden / arch.heads;
  }
}

void check_top_k(const SpecReader& config, const ModelArch& arch) {
  if (arch.routed_experts == 0) return;
  if (arch.experts_per_token < 1 || arch.experts_per_token > arch.routed_experts) {
    config.fail("num_experts_per_tok", fmt::format("must be between 1 and the {} routed experts", arch.routed_experts));
  }
  if (arch.moe_intermediate < 1) config.fail("moe_intermediate_size", "must be at least 1");
}

}  // namespace

ModelArch build_deepseek(const SpecReader& config) {
  ModelArch a;
  read_common(config, a);
  a.attention = AttentionKind::mla;
  // q_lora_rank must be present; null means the query is projected directly (DeepSeek-V2-Lite).
  a.q_lora_rank = config.raw("q_lora_rank").is_null() ? 0 : positive_integer(config, "q_lora_rank");
  a.kv_lora_rank = positive_integer(config, "kv_lora_rank");
  a.qk_nope_head_dim = positive_integer(config, "qk_nope_head_dim");
  a.qk_rope_head_dim = positive_integer(config, "qk_rope_head_dim");
  a.v_head_dim = positive_integer(config, "v_head_dim");
  a.head_dim = a.qk_nope_head_dim + a.qk_rope_head_dim;

  a.intermediate = positive_integer(config, "intermediate_size");
  a.routed_experts = config.raw("n_routed_experts").is_null()
                         ? 0
                         : config.at_least("n_routed_experts", config.integer("n_routed_experts"), 0);
  if (a.routed_experts > 0) {
    a.experts_per_token = positive_integer(config, "num_experts_per_tok");
    a.moe_intermediate = positive_integer(config, "moe_intermediate_size");
    a.shared_experts = optional_integer(config, "n_shared_experts", 0);
    a.n_group = optional_integer(config, "n_group", 1);
    a.topk_group = optional_integer(config, "topk_group", 1);
  }
  a.first_k_dense = optional_integer(config, "first_k_dense_replace", 0);
  const int64_t freq = std::max<int64_t>(1, optional_integer(config, "moe_layer_freq", 1));
  auto is_moe = [&](int64_t i) { return a.routed_experts > 0 && i >= a.first_k_dense && i % freq == 0; };
  for (int64_t i = 0; i < a.layers; ++i) a.moe_layer.push_back(is_moe(i));
  a.mtp_layers = optional_integer(config, "num_nextn_predict_layers", 0);
  a.mtp_layer_is_moe = is_moe(a.layers);
  check_top_k(config, a);
  return a;
}

ModelArch build_qwen3_moe(const SpecReader& config) {
  ModelArch a;
  read_common(config, a);
  read_gqa(config, a);
  a.qk_norm = true;
  a.intermediate = optional_integer(config, "intermediate_size", 0);
  a.routed_experts = positive_integer(config, "num_experts");
  a.experts_per_token = positive_integer(config, "num_experts_per_tok");
  a.moe_intermediate = positive_integer(config, "moe_intermediate_size");
  const int64_t step = std::max<int64_t>(1, optional_integer(config, "decoder_sparse_step", 1));
  std::vector<int64_t> mlp_only;
  if (config.has("mlp_only_layers") && !config.raw("mlp_only_layers").is_null()) {
    for (double v : config.numbers("mlp_only_layers")) mlp_only.push_back(static_cast<int64_t>(v));
  }
  for (int64_t i = 0; i < a.layers; ++i) {
    const bool dense = std::find(mlp_only.begin(), mlp_only.end(), i) != mlp_only.end();
    a.moe_layer.push_back(!dense && (i + 1) % step == 0);
  }
  if (a.dense_layer_count() > 0 && a.intermediate < 1) config.fail("intermediate_size", "required key is missing");
  check_top_k(config, a);
  return a;
}

ModelArch build_qwen3(const SpecReader& config) {
  ModelArch a = build_llama(config);
  a.qk_norm = true;
  return a;
}

ModelArch build_llama(const SpecReader& config) {
  ModelArch a;
  read_common(config, a);
  read_gqa(config, a);
  a.intermediate = positive_integer(config, "intermediate_size");
  a.moe_layer.assign(static_cast<size_t>(a.layers), false);
  return a;
}

}  // namespace fathom::models::detail
