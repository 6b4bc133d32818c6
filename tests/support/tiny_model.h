#pragma once
// Test neighbour: the tiny DeepSeek-style model the op tests compute by hand. d = 64, 2 layers (layer 0
// dense, layer 1 MoE), vocab 100, 2 heads, q_lora 32, kv_lora 16, qk_nope 8, qk_rope 4 (qk = 12), v 8,
// dense FFN 96, 4 routed experts of width 16, top-2, 1 shared expert, 1 MTP module.

#include <nlohmann/json.hpp>

#include "models/hf_config.h"

namespace fathom::test {

inline nlohmann::json tiny_deepseek_config() {
  return {{"model_type", "deepseek_v3"},  {"hidden_size", 64},
          {"num_hidden_layers", 2},       {"vocab_size", 100},
          {"num_attention_heads", 2},     {"q_lora_rank", 32},
          {"kv_lora_rank", 16},           {"qk_nope_head_dim", 8},
          {"qk_rope_head_dim", 4},        {"v_head_dim", 8},
          {"intermediate_size", 96},      {"moe_intermediate_size", 16},
          {"n_routed_experts", 4},        {"n_shared_experts", 1},
          {"num_experts_per_tok", 2},     {"first_k_dense_replace", 1},
          {"num_nextn_predict_layers", 1}};
}

inline models::ModelArch tiny_deepseek() { return models::parse_hf_config(tiny_deepseek_config(), "tiny.json"); }

}  // namespace fathom::test
