// Reading Hugging Face config.json files into ModelArch, and one-line errors for bad configs.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "models/hf_config.h"
#include "sim/error.h"
#include "support/hf_config_error.h"

using namespace fathom;
using namespace fathom::models;

namespace {

const std::string kModels = std::string(FATHOM_SOURCE_DIR) + "/scenarios/models/";

const auto error_of = fathom::test::hf_config_error;

}  // namespace

TEST_CASE("DeepSeek-V3 config reads as MLA + MoE with MTP and FP8 block weights", "[unit]") {
  const ModelArch a = load_hf_config(kModels + "deepseek-v3.config.json");
  CHECK(a.name == "deepseek-v3.config.json");
  CHECK(a.model_type == "deepseek_v3");
  CHECK(a.attention == AttentionKind::mla);
  CHECK(a.hidden == 7168);
  CHECK(a.layers == 61);
  CHECK(a.vocab == 129280);
  CHECK(a.heads == 128);
  CHECK(a.q_lora_rank == 1536);
  CHECK(a.kv_lora_rank == 512);
  CHECK(a.qk_nope_head_dim == 128);
  CHECK(a.qk_rope_head_dim == 64);
  CHECK(a.v_head_dim == 128);
  CHECK(a.routed_experts == 256);
  CHECK(a.shared_experts == 1);
  CHECK(a.experts_per_token == 8);
  CHECK(a.moe_intermediate == 2048);
  CHECK(a.intermediate == 18432);
  CHECK(a.n_group == 8);
  CHECK(a.topk_group == 4);
  CHECK(a.mtp_layers == 1);
  CHECK(a.mtp_layer_is_moe);
  CHECK(a.dense_layer_count() == 3);  // first_k_dense_replace = 3
  CHECK(a.moe_layer_count() == 58);
  CHECK(a.kind_of_layer(2) == LayerKind::dense);
  CHECK(a.kind_of_layer(3) == LayerKind::moe);
  CHECK(a.kind_of_layer(61) == LayerKind::mtp);
  CHECK(a.quantization.fp8);
  CHECK(a.quantization.block_rows == 128);
  CHECK(a.quantization.block_cols == 128);
  CHECK_FALSE(a.tie_word_embeddings);
}

TEST_CASE("Qwen3 configs read as GQA with q/k norms", "[unit]") {
  const ModelArch dense = load_hf_config(kModels + "qwen3-8b.config.json");
  CHECK(dense.attention == AttentionKind::gqa);
  CHECK(dense.qk_norm);
  CHECK(dense.heads == 32);
  CHECK(dense.kv_heads == 8);
  CHECK(dense.head_dim == 128);
  CHECK(dense.moe_layer_count() == 0);
  CHECK_FALSE(dense.quantization.fp8);

  const ModelArch moe = load_hf_config(kModels + "qwen3-235b-a22b.config.json");
  CHECK(moe.routed_experts == 128);
  CHECK(moe.shared_experts == 0);
  CHECK(moe.experts_per_token == 8);
  CHECK(moe.head_dim == 128);  // explicit: 64 heads x 128 = 8192 != hidden 4096
  CHECK(moe.moe_layer_count() == 94);
  CHECK(moe.mtp_layers == 0);
}

TEST_CASE("DeepSeek-V2-Lite style config: null q_lora_rank means no query compression", "[unit]") {
  const nlohmann::json cfg = {
      {"model_type", "deepseek_v2"},   {"hidden_size", 2048},        {"num_hidden_layers", 27},
      {"vocab_size", 102400},          {"num_attention_heads", 16},  {"num_key_value_heads", 16},
      {"q_lora_rank", nullptr},        {"kv_lora_rank", 512},        {"qk_nope_head_dim", 128},
      {"qk_rope_head_dim", 64},        {"v_head_dim", 128},          {"intermediate_size", 10944},
      {"moe_intermediate_size", 1408}, {"n_routed_experts", 64},     {"n_shared_experts", 2},
      {"num_experts_per_tok", 6},      {"first_k_dense_replace", 1}, {"moe_layer_freq", 1}};
  const ModelArch a = parse_hf_config(cfg, "v2-lite.json");
  CHECK(a.q_lora_rank == 0);
  CHECK(a.dense_layer_count() == 1);
  CHECK(a.moe_layer_count() == 26);
  CHECK(a.mtp_layers == 0);
  CHECK_FALSE(a.quantization.fp8);
}

TEST_CASE("Bad configs fail with one line naming the file and the key", "[unit]") {
  nlohmann::json cfg = {{"model_type", "qwen3"},   {"hidden_size", 64},        {"num_hidden_layers", 2},
                        {"vocab_size", 100},       {"num_attention_heads", 4}, {"num_key_value_heads", 2},
                        {"intermediate_size", 128}};
  CHECK(error_of(cfg).empty());

  nlohmann::json missing = cfg;
  missing.erase("hidden_size");
  CHECK(error_of(missing) == "test.config.json: hidden_size: required key is missing");

  nlohmann::json wrong = cfg;
  wrong["num_hidden_layers"] = "two";
  CHECK_THAT(error_of(wrong), Catch::StartsWith("test.config.json: num_hidden_layers: expected an integer"));

  nlohmann::json bad_gqa = cfg;
  bad_gqa["num_key_value_heads"] = 3;
  CHECK_THAT(error_of(bad_gqa), Catch::StartsWith("test.config.json: num_key_value_heads:"));

  nlohmann::json unknown = cfg;
  unknown["model_type"] = "mamba";
  CHECK_THAT(error_of(unknown), Catch::StartsWith("test.config.json: model_type: unknown architecture \"mamba\""));

  CHECK_THROWS_AS(load_hf_config("/nonexistent/x.config.json"), InputError);
  for (const std::string& e : {error_of(missing), error_of(unknown)}) CHECK(e.find('\n') == std::string::npos);
}

TEST_CASE("The architecture registry lists every supported model_type", "[unit]") {
  for (const char* t : {"deepseek_v2", "deepseek_v3", "qwen3", "qwen3_moe", "llama", "mistral", "qwen2"}) {
    CHECK(architecture_registry().find(t) != nullptr);
  }
}

TEST_CASE("MoE configs: experts, groups and sizes that cannot be are refused", "[unit]") {
  const nlohmann::json v3 = [] {
    std::ifstream in(kModels + "deepseek-v3.config.json");
    return nlohmann::json::parse(in);
  }();
  CHECK(error_of(v3).empty());
  CHECK(parse_hf_config(v3, "v3").max_context == 163840);
  const auto with = [&](const char* key, nlohmann::json value) {
    nlohmann::json c = v3;
    c[key] = std::move(value);
    return error_of(c);
  };
  CHECK(with("n_routed_experts", 0) == "test.config.json: n_routed_experts: must be at least 1, got 0");
  CHECK(error_of([&] {
          nlohmann::json c = v3;
          c["n_routed_experts"] = nullptr;  // null: a model without routed experts
          return c;
        }())
            .empty());
  CHECK_THAT(with("n_group", 7), Catch::StartsWith("test.config.json: n_group: 7 does not divide the 256"));
  CHECK_THAT(with("topk_group", 9), Catch::StartsWith("test.config.json: topk_group: must be between 1 and n_group 8"));
  CHECK_THAT(with("hidden_size", 1000000000000), Catch::Contains("hidden_size: 1000000000000 is absurdly large"));
  CHECK_THAT(with("num_hidden_layers", 1000000000), Catch::Contains("num_hidden_layers"));
  nlohmann::json huge = v3;
  huge["hidden_size"] = 1000000;
  huge["moe_intermediate_size"] = 1000000;  // each allowed, together ~5e16 parameters
  CHECK_THAT(error_of(huge), Catch::Contains("the dimensions describe about"));
}
