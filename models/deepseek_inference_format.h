#pragma once
// DeepSeek's own inference config format (the config_671B*.json files of DeepSeek-V3's and
// DeepSeek-V3.2-Exp's inference/ folders: "dim", "n_layers", "n_activated_experts", ...), read by
// translating it into the Hugging Face keys of the same model.
//
// Contract: a key that has no HF counterpart and is not cost-neutral is one InputError line naming the
// file and that key. The format has no MTP module (DeepSeek's inference code does not run it) and
// "dtype": "fp8" means 128x128 FP8 weight blocks (its kernels' block size).

#include <nlohmann/json.hpp>

#include <string>

namespace fathom::models {

// Whether `config` is in DeepSeek's inference format (no model_type; "dim" and "n_layers").
bool is_deepseek_inference_format(const nlohmann::json& config);

// The HF config with the same meaning: model_type deepseek_v32 when the indexer keys are present,
// else deepseek_v3. `label` names the file in errors.
nlohmann::json hf_config_from_deepseek_inference_format(const nlohmann::json& config, const std::string& label);

}  // namespace fathom::models
