#include "models/deepseek_inference_format.h"

#include <fmt/format.h>

#include <string_view>
#include <utility>

#include "sim/error.h"
#include "sim/strict_json.h"

namespace fathom::models {
namespace {

// DeepSeek inference key -> HF key (DeepSeek-V3 inference/model.py ModelArgs).
const std::pair<std::string_view, std::string_view> kRenamed[] = {
    {"vocab_size", "vocab_size"},
    {"dim", "hidden_size"},
    {"inter_dim", "intermediate_size"},
    {"moe_inter_dim", "moe_intermediate_size"},
    {"n_layers", "num_hidden_layers"},
    {"n_dense_layers", "first_k_dense_replace"},
    {"n_heads", "num_attention_heads"},
    {"n_routed_experts", "n_routed_experts"},
    {"n_shared_experts", "n_shared_experts"},
    {"n_activated_experts", "num_experts_per_tok"},
    {"n_expert_groups", "n_group"},
    {"n_limited_groups", "topk_group"},
    {"route_scale", "routed_scaling_factor"},
    {"score_func", "scoring_func"},
    {"q_lora_rank", "q_lora_rank"},
    {"kv_lora_rank", "kv_lora_rank"},
    {"qk_nope_head_dim", "qk_nope_head_dim"},
    {"qk_rope_head_dim", "qk_rope_head_dim"},
    {"v_head_dim", "v_head_dim"},
    {"index_n_heads", "index_n_heads"},
    {"index_head_dim", "index_head_dim"},
    {"index_topk", "index_topk"},
};

// Keys of the format that change no cost: engine sizes (the scenario sets batch and context) and RoPE
// (YaRN) numerics.
constexpr std::string_view kNeutral[] = {"max_batch_size", "max_seq_len", "original_seq_len", "rope_theta",
                                         "rope_factor",    "beta_fast",   "beta_slow",        "mscale"};

}  // namespace

bool is_deepseek_inference_format(const nlohmann::json& config) {
  return config.is_object() && !config.contains("model_type") && config.contains("dim") && config.contains("n_layers");
}

nlohmann::json hf_config_from_deepseek_inference_format(const nlohmann::json& config, const std::string& label) {
  nlohmann::json hf = nlohmann::json::object();
  for (auto it = config.begin(); it != config.end(); ++it) {
    const std::string& key = it.key();
    bool known = false;
    for (const auto& [from, to] : kRenamed) {
      if (from == key) {
        hf[std::string(to)] = it.value();
        known = true;
      }
    }
    for (std::string_view k : kNeutral) known = known || k == key;
    if (key == "dtype") {
      if (it.value() == "fp8") {
        hf["quantization_config"] = {{"quant_method", "fp8"}, {"weight_block_size", {128, 128}}};
        if (config.contains("scale_fmt")) hf["quantization_config"]["scale_fmt"] = config["scale_fmt"];
      } else if (it.value() != "bf16") {
        throw InputError(fmt::format("{}: dtype: {} is not supported (\"fp8\" or \"bf16\")", label, brief(it.value())));
      }
      known = true;
    }
    if (key == "scale_fmt") known = true;  // carried into quantization_config with dtype fp8
    if (!known) {
      throw InputError(fmt::format("{}: {}: unknown key of DeepSeek's inference config format (docs/models.md)", label,
                                   printable(key)));
    }
  }
  hf["model_type"] = hf.contains("index_topk") ? "deepseek_v32" : "deepseek_v3";
  hf["num_nextn_predict_layers"] = 0;  // the inference code runs no MTP module
  return hf;
}

}  // namespace fathom::models
