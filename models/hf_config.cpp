#include "models/hf_config.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/arch_builders.h"
#include "models/config_keys.h"
#include "models/deepseek_inference_format.h"
#include "sim/strict_json.h"

namespace fathom::models {

const Registry<ArchitectureBuilder>& architecture_registry() {
  static const Registry<ArchitectureBuilder> registry(
      "architecture",
      {
          {"deepseek_v3", "DeepSeek-V3/R1: MLA, routed + shared experts, group-limited top-k, MTP, FP8 block weights",
           &detail::build_deepseek},
          {"deepseek_v32",
           "DeepSeek-V3.2: DeepSeek-V3 with DeepSeek Sparse Attention (lightning indexer, top-k sparse MLA)",
           &detail::build_deepseek_v32},
          {"kimi_k2", "Kimi-K2: the DeepSeek-V3 architecture (MLA, 384 routed + 1 shared experts, 64 heads)",
           &detail::build_deepseek},
          {"deepseek_v2", "DeepSeek-V2/V2-Lite: MLA (optional query compression), routed + shared experts",
           &detail::build_deepseek},
          {"qwen3_moe", "Qwen3 MoE: GQA with per-head q/k RMSNorm, routed experts, no shared expert",
           &detail::build_qwen3_moe},
          {"qwen3", "Qwen3 dense: GQA with per-head q/k RMSNorm, SwiGLU FFN", &detail::build_qwen3},
          {"llama", "Llama-style dense GQA with SwiGLU FFN", &detail::build_llama},
          {"mistral", "Mistral dense GQA with SwiGLU FFN and sliding-window attention", &detail::build_llama},
          {"mixtral", "Mixtral MoE: GQA, routed SwiGLU experts in every layer, no shared expert",
           &detail::build_mixtral},
          {"gpt_oss",
           "gpt-oss: GQA with attention sinks, sliding-window layers alternating with full attention, biased MoE, "
           "MXFP4 experts",
           &detail::build_gpt_oss},
          {"qwen2", "Qwen2 dense GQA with q/k/v biases and SwiGLU FFN", &detail::build_qwen2},
      });
  return registry;
}

ModelArch parse_hf_config(const nlohmann::json& config, const std::string& label) {
  if (is_deepseek_inference_format(config)) {
    // Errors past the translation name the HF key; the label says so.
    ModelArch arch = parse_hf_config(hf_config_from_deepseek_inference_format(config, label),
                                     label + " (DeepSeek inference format, read as HF keys)");
    arch.name = label;
    return arch;
  }
  const SpecReader reader(config, label, "");
  const std::string type = reader.text("model_type");
  const auto& entry = architecture_registry().get(type, label + ": model_type");
  ModelArch arch = entry.make(reader);
  check_unread_keys(reader);
  arch.name = label;
  arch.model_type = type;
  return arch;
}

ModelArch load_hf_config(const std::string& path) {
  const std::string label = printable(std::filesystem::path(path).filename().string());
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw InputError(fmt::format("{}: model config file not found (looked in {})", printable(path, 200),
                                 printable(std::filesystem::absolute(path, ec).lexically_normal().string(), 200)));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open the model config file", printable(path, 200)));
  std::stringstream text;
  text << in.rdbuf();
  // Strict: duplicate keys, absurd nesting and out-of-range numbers are refused (sim/strict_json.h).
  const nlohmann::json config = parse_strict_json(text.str(), label);
  return parse_hf_config(config, label);
}

}  // namespace fathom::models
