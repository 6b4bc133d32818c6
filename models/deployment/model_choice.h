#pragma once
// The scenario's "model" section: which Hugging Face config, and the dtypes it is run with.

#include <filesystem>
#include <map>
#include <string>

#include "hw/kernel_work.h"
#include "models/model_arch.h"
#include "sim/scenario_document.h"
#include "sim/spec_reader.h"

namespace fathom::models {

struct ModelChoice {
  ModelArch arch;
  hw::DType weights_dtype = hw::DType::bf16;   // GEMM weights (fp8 uses 128x128 block scales)
  hw::DType kv_cache_dtype = hw::DType::bf16;  // KV cache entries
  bool mtp = false;                            // MTP modules loaded (speculative decoding / training)
};

// Reads {"hf_config": "models/x.config.json", "weights_dtype": "fp8", "kv_cache_dtype": "bf16",
// "mtp": false}; hf_config resolves against the scenario's directory. weights_dtype defaults to the
// checkpoint's own (fp8 when its quantization_config says so, else bf16); mtp defaults to false.
// `arch_cache` (optional): configs already loaded, by resolved path; a path not in it is loaded and added
// (`fathom plan` reads one scenario under many layouts; the files must not change while the cache lives).
ModelChoice read_model_choice(const SpecReader& reader, const ScenarioDocument& doc,
                              std::map<std::string, ModelArch>* arch_cache = nullptr);

// Refuses `tokens` in one sequence (a context, a prompt, a training sequence) beyond the model's context
// (max_position_embeddings; nothing is checked when the config does not give it). Returns `tokens`.
int64_t within_context(const SpecReader& reader, std::string_view key, int64_t tokens, const ModelArch& arch);

}  // namespace fathom::models
