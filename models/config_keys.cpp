#include "models/config_keys.h"

#include <fmt/format.h>

#include <string_view>
#include <vector>

namespace fathom::models {
namespace {

// Keys that change no shape, FLOP or byte fathom prices (docs/models.md, "Config keys").
bool cost_neutral(std::string_view key) {
  static constexpr std::string_view kKeys[] = {
      // Provenance of the file.
      "architectures", "auto_map", "transformers_version",
      // The checkpoint's storage dtype of unquantised tensors; the scenario's weights_dtype is priced.
      "torch_dtype", "dtype",
      // Token ids and initialisation.
      "bos_token_id", "eos_token_id", "pad_token_id", "initializer_range",
      // Numerics that change no shape: norm epsilon, RoPE base and context-extension scaling (YaRN,
      // llama3), DeepSeek's FP8 scale format, gpt-oss's SwiGLU clamp (inside the priced activation).
      "rms_norm_eps", "rope_theta", "rope_scaling", "scale_fmt", "swiglu_limit",
      // Serving/engine switches and the context the model was pre-trained at.
      "use_cache", "output_router_logits", "pretraining_tp", "ep_size", "initial_context_length",
      // Router numerics: loss coefficients (training objective), normalisation and scaling of the top-k
      // weights, the score function (sigmoid or softmax: router_topk is priced alike).
      "router_aux_loss_coef", "aux_loss_alpha", "seq_aux", "norm_topk_prob", "routed_scaling_factor", "route_scale",
      "scoring_func", "score_func"};
  for (std::string_view k : kKeys) {
    if (k == key) return true;
  }
  return false;
}

// Keys fathom prices at one value only: any other value changes the cost in a way not modelled.
struct AssumedValue {
  std::string_view key;
  nlohmann::json value;
  std::string_view what;  // what fathom prices
};

const std::vector<AssumedValue>& assumed_values() {
  static const std::vector<AssumedValue> table = {
      {"hidden_act", "silu", "SwiGLU feed-forward blocks"},
      {"attention_dropout", 0.0, "attention without dropout"},
      {"mlp_bias", false, "feed-forward projections without biases"},
      {"attention_bias", false, "attention projections without biases for this architecture"},
      {"use_sliding_window", false, "full attention in every layer for this architecture"},
      {"sliding_window", nullptr, "full attention in every layer for this architecture"},
  };
  return table;
}

}  // namespace

void check_unread_keys(const SpecReader& config) {
  const nlohmann::json& node = config.node();
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string& key = it.key();
    if (config.was_read(key) || cost_neutral(key)) continue;
    bool assumed = false;
    for (const AssumedValue& a : assumed_values()) {
      if (a.key != key) continue;
      assumed = true;
      // JSON 0 and 0.0 compare equal in nlohmann::json.
      if (it.value() != a.value) {
        config.fail(
            key, fmt::format("{} is not supported (fathom prices {}: {})", brief(it.value()), a.what, a.value.dump()));
      }
    }
    if (!assumed) {
      config.fail(key,
                  "unknown config field: fathom cannot tell whether it changes the cost (the fields it accepts "
                  "unread are listed in docs/models.md, \"Config keys\")");
    }
  }
}

}  // namespace fathom::models
