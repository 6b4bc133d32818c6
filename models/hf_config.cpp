#include "models/hf_config.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/arch_builders.h"

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
  const std::string label = std::filesystem::path(path).filename().string();
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open the model config file", path));
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's message is one line: "[json.exception.parse_error.101] parse error at line 3, ...".
    throw InputError(fmt::format("{}: malformed JSON: {}", label, e.what()));
  }
  return parse_hf_config(config, label);
}

}  // namespace fathom::models
