#pragma once
// The architecture builders behind architecture_registry(), one per config family. Internal to
// models/; callers use load_hf_config().

#include "models/model_arch.h"
#include "sim/spec_reader.h"

namespace fathom::models::detail {

ModelArch build_deepseek(const SpecReader& config);      // deepseek_v2, deepseek_v3, kimi_k2: MLA + MoE + MTP
ModelArch build_deepseek_v32(const SpecReader& config);  // deepseek_v32: build_deepseek + the DSA indexer
ModelArch build_mixtral(const SpecReader& config);       // mixtral: GQA + MoE (every layer), no shared expert
ModelArch build_gpt_oss(const SpecReader& config);       // gpt_oss: GQA + sinks + sliding windows + biased MoE
ModelArch build_qwen2(const SpecReader& config);         // qwen2: dense GQA with q/k/v biases
ModelArch build_qwen3_moe(const SpecReader& config);     // qwen3_moe: GQA + qk-norm + MoE (no shared expert)
ModelArch build_qwen3(const SpecReader& config);         // qwen3: dense GQA + qk-norm
ModelArch build_llama(const SpecReader& config);         // llama, mistral: dense GQA

// Shared helpers for the builders.
int64_t positive_integer(const SpecReader& config, std::string_view key);
// An integer that may be absent or null (-> fallback); a present non-null value must be >= 0.
int64_t optional_integer(const SpecReader& config, std::string_view key, int64_t fallback);
WeightQuantization read_quantization(const SpecReader& config);

}  // namespace fathom::models::detail
