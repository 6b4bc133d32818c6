#include "models/hf_config.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/arch_builders.h"
#include "sim/strict_json.h"

namespace fathom::models {

const Registry<ArchitectureBuilder>& architecture_registry() {
  static const Registry<ArchitectureBuilder> registry(
      "architecture",
      {
          {"deepseek_v3", "DeepSeek-V3/R1: MLA, routed + shared experts, group-limited top-k, MTP, FP8 block weights",
           &detail::build_deepseek},
          {"deepseek_v2", "DeepSeek-V2/V2-Lite: MLA (optional query compression), routed + shared experts",
           &detail::build_deepseek},
          {"qwen3_moe", "Qwen3 MoE: GQA with per-head q/k RMSNorm, routed experts, no shared expert",
           &detail::build_qwen3_moe},
          {"qwen3", "Qwen3 dense: GQA with per-head q/k RMSNorm, SwiGLU FFN", &detail::build_qwen3},
          {"llama", "Llama-style dense GQA with SwiGLU FFN", &detail::build_llama},
          {"mistral", "Mistral dense GQA with SwiGLU FFN (sliding window ignored)", &detail::build_llama},
          {"qwen2", "Qwen2 dense GQA with SwiGLU FFN (qkv biases ignored)", &detail::build_llama},
      });
  return registry;
}

ModelArch parse_hf_config(const nlohmann::json& config, const std::string& label) {
  const SpecReader reader(config, label, "");
  const std::string type = reader.text("model_type");
  const auto& entry = architecture_registry().get(type, label + ": model_type");
  ModelArch arch = entry.make(reader);
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
