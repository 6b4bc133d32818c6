#pragma once
// Reading a Hugging Face config.json into a ModelArch, and the registry of supported architectures
// (config "model_type" -> builder), listed by `fathom list`.
//
// Contract: an unreadable file, malformed JSON, an unknown model_type or a missing/malformed key
// throws InputError with one line "<file name>: <key>: <what is wrong>". Keys the builder does not
// read must be cost-neutral or at the value fathom assumes (models/config_keys.h), else they are
// refused the same way.

#include <nlohmann/json.hpp>

#include <string>

#include "models/model_arch.h"
#include "sim/registry.h"
#include "sim/spec_reader.h"

namespace fathom::models {

// Builds a ModelArch from the config object (reader labelled with the file name).
using ArchitectureBuilder = ModelArch (*)(const SpecReader& config);

// model_type -> builder: deepseek_v2, deepseek_v3, deepseek_v32, kimi_k2, qwen3, qwen3_moe, llama,
// mistral, mixtral, gpt_oss, qwen2.
const Registry<ArchitectureBuilder>& architecture_registry();

// Reads and parses `path`; the file name (not the directory) labels errors and becomes arch.name.
ModelArch load_hf_config(const std::string& path);

// Parses an already-loaded config object; `label` names it in errors.
ModelArch parse_hf_config(const nlohmann::json& config, const std::string& label);

}  // namespace fathom::models
