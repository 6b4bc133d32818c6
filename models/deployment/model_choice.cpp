#include "models/deployment/model_choice.h"

#include <fmt/format.h>

#include <stdexcept>

#include "models/hf_config.h"

namespace fathom::models {
namespace {

hw::DType read_dtype(const SpecReader& r, std::string_view key, hw::DType fallback, std::string_view why) {
  const std::string name = r.choice_or(key, {"fp8", "bf16", "fp16", "fp32"}, std::string(hw::to_string(fallback)), why);
  return hw::parse_dtype(name);
}

}  // namespace

ModelChoice read_model_choice(const SpecReader& r, const ScenarioDocument& doc,
                              std::map<std::string, ModelArch>* arch_cache) {
  ModelChoice c;
  const std::string rel = r.text("hf_config");
  const std::filesystem::path path = doc.resolve_path(rel);
  std::error_code ec;  // the non-throwing overload: a name too long for the OS is "not found"
  if (!std::filesystem::is_regular_file(path, ec)) r.fail("hf_config", doc.not_found(rel));
  if (arch_cache == nullptr) {
    c.arch = load_hf_config(path.string());
  } else {
    auto it = arch_cache->find(path.string());
    if (it == arch_cache->end()) it = arch_cache->emplace(path.string(), load_hf_config(path.string())).first;
    c.arch = it->second;
  }
  const hw::DType native = c.arch.quantization.fp8 ? hw::DType::fp8 : hw::DType::bf16;
  c.weights_dtype = read_dtype(r, "weights_dtype", native, "the checkpoint's own weight dtype");
  c.kv_cache_dtype = read_dtype(r, "kv_cache_dtype", hw::DType::bf16, "BF16 KV cache, as DeepSeek serves (S13)");
  c.mtp = r.boolean_or("mtp", false, "MTP module not loaded");
  if (c.mtp && c.arch.mtp_layers == 0) r.fail("mtp", "the model has no MTP layers (num_nextn_predict_layers)");
  r.finish();
  return c;
}

int64_t within_context(const SpecReader& reader, std::string_view key, int64_t tokens, const ModelArch& arch) {
  if (arch.max_context > 0 && tokens > arch.max_context) {
    reader.fail(key, fmt::format("{} tokens exceed the model's context of {} (max_position_embeddings)", tokens,
                                 arch.max_context));
  }
  return tokens;
}

}  // namespace fathom::models
