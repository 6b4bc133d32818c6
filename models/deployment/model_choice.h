#pragma once
// The scenario's "model" section: which Hugging Face config, and the dtypes it is run with.

#include <filesystem>
#include <map>
#include <string>

#include "hw/gpu_spec.h"
#include "hw/kernel_work.h"
#include "models/model_arch.h"
#include "sim/scenario_document.h"
#include "sim/spec_reader.h"

namespace fathom::models {

struct ModelChoice {
  ModelArch arch;
  hw::DType weights_dtype = hw::DType::bf16;   // GEMM weights (fp8 uses 128x128 block scales)
  hw::DType kv_cache_dtype = hw::DType::bf16;  // KV cache entries
  // Routed-expert GEMM operands: weights_dtype unless "expert_weights_dtype" says fp4 (NVFP4 experts,
  // Blackwell only; the scenario reader refuses it on a GPU without FP4 peaks).
  hw::DType expert_dtype = hw::DType::bf16;
  // MLA attention math, decode and prefill: bf16 (FlashMLA, K01) or fp8 (a what-if of FP8 MMAs; FlashMLA's FP8-KV
  // kernels run BF16, K05; needs an FP8 KV cache and an MLA model).
  hw::DType attention_dtype = hw::DType::bf16;
  bool mtp = false;  // MTP modules loaded (speculative decoding / training)
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
// Refuses dtypes the GPU has no tensor cores for (fp4 experts on a GPU without an FP4 peak), as an
// InputError at `model_reader`'s path.
void check_dtypes_on_gpu(const SpecReader& model_reader, const ModelChoice& choice, const hw::GpuSpec& gpu);

// Training prices neither fp4 experts nor fp8 attention (their backward kernels are not modelled): refuses
// expert_weights_dtype other than weights_dtype and attention_dtype other than bf16.
void refuse_inference_only_dtypes(const SpecReader& model_reader, const ModelChoice& choice);

int64_t within_context(const SpecReader& reader, std::string_view key, int64_t tokens, const ModelArch& arch);

}  // namespace fathom::models
