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
  c.expert_dtype = hw::parse_dtype(r.choice_or("expert_weights_dtype", {"fp4", "fp8", "bf16", "fp16", "fp32"},
                                               std::string(hw::to_string(c.weights_dtype)),
                                               "routed experts in the checkpoint's weight dtype"));
  c.attention_dtype = hw::parse_dtype(
      r.choice_or("attention_dtype", {"bf16", "fp8"}, "bf16", "BF16 MLA attention math (FlashMLA, K01)"));
  if (c.attention_dtype == hw::DType::fp8 && c.kv_cache_dtype != hw::DType::fp8) {
    r.fail("attention_dtype",
           "fp8 attention math (a what-if: FlashMLA's FP8-KV kernels run BF16 MMAs, K04/K05) reads an FP8 KV cache: "
           "set kv_cache_dtype fp8");
  }
  if (c.attention_dtype == hw::DType::fp8 && c.arch.attention != AttentionKind::mla) {
    r.fail("attention_dtype",
           "fp8 attention is priced for MLA models only (a what-if of FlashMLA-style kernels with FP8 MMAs); this "
           "model uses GQA");
  }
  c.mtp = r.boolean_or("mtp", false, "MTP module not loaded");
  if (c.mtp && c.arch.mtp_layers == 0) r.fail("mtp", "the model has no MTP layers (num_nextn_predict_layers)");
  r.finish();
  return c;
}

void check_dtypes_on_gpu(const SpecReader& r, const ModelChoice& c, const hw::GpuSpec& gpu) {
  if (c.expert_dtype == hw::DType::fp4 && gpu.peak_fp4_dense.value() <= 0) {
    r.fail("expert_weights_dtype",
           fmt::format("fp4 experts need FP4 tensor cores, but {} has no peak_fp4_dense", gpu.name));
  }
}

void refuse_inference_only_dtypes(const SpecReader& r, const ModelChoice& c) {
  if (c.expert_dtype != c.weights_dtype) {
    r.fail("expert_weights_dtype", "training prices the experts in weights_dtype only (inference option)");
  }
  if (c.attention_dtype != hw::DType::bf16) {
    r.fail("attention_dtype", "training prices BF16 attention only (FP8 attention is an inference option)");
  }
}

int64_t within_context(const SpecReader& reader, std::string_view key, int64_t tokens, const ModelArch& arch) {
  if (arch.max_context > 0 && tokens > arch.max_context) {
    reader.fail(key, fmt::format("{} tokens exceed the model's context of {} (max_position_embeddings)", tokens,
                                 arch.max_context));
  }
  return tokens;
}

}  // namespace fathom::models
