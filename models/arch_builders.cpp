#include "models/arch_builders.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

namespace fathom::models::detail {
namespace {

// The largest a config dimension may be: far above any published model (DeepSeek-V3: hidden 7168,
// vocab 129280, 256 experts, 61 layers), low enough that products of dimensions stay exact in int64.
int64_t upper_bound_of(std::string_view key) {
  if (key == "num_hidden_layers" || key == "num_nextn_predict_layers" || key == "first_k_dense_replace") return 10'000;
  if (key == "vocab_size") return int64_t{1} << 24;
  if (key == "max_position_embeddings") return int64_t{1} << 31;
  if (key == "num_attention_heads" || key == "num_key_value_heads" || key == "n_routed_experts" ||
      key == "num_experts" || key == "num_experts_per_tok" || key == "n_shared_experts" || key == "n_group" ||
      key == "topk_group" || key == "moe_layer_freq" || key == "decoder_sparse_step") {
    return int64_t{1} << 16;
  }
  return int64_t{1} << 20;  // widths: hidden, intermediate, head and LoRA dimensions
}

int64_t bounded(const SpecReader& config, std::string_view key, int64_t v) {
  const int64_t most = upper_bound_of(key);
  if (v > most) config.fail(key, fmt::format("{} is absurdly large (at most {})", v, most));
  return v;
}

}  // namespace

int64_t positive_integer(const SpecReader& config, std::string_view key) {
  return bounded(config, key, config.at_least(key, config.integer(key), 1));
}

int64_t optional_integer(const SpecReader& config, std::string_view key, int64_t fallback) {
  if (!config.has(key) || config.raw(key).is_null()) return fallback;
  return bounded(config, key, config.at_least(key, config.integer(key), 0));
}

WeightQuantization read_quantization(const SpecReader& config) {
  WeightQuantization q;
  if (!config.has("quantization_config") || config.raw("quantization_config").is_null()) return q;
  const SpecReader quant = config.child("quantization_config");
  const std::string method = quant.text("quant_method");
  if (method != "fp8" && method != "mxfp4") {
    quant.fail("quant_method", fmt::format("\"{}\" is not supported (only \"fp8\" and \"mxfp4\")", printable(method)));
  }
  if (method == "mxfp4") {
    // gpt-oss: MXFP4 on the routed experts, the modules listed here kept in BF16. fathom prices exactly
    // that split; another list would quantise (or keep) tensors it does not know about.
    q.mxfp4_experts = true;
    std::vector<std::string> kept;
    for (const auto& v : quant.raw("modules_to_not_convert")) kept.push_back(v.is_string() ? v.get<std::string>() : "");
    std::sort(kept.begin(), kept.end());
    const std::vector<std::string> priced = {"lm_head", "model.embed_tokens", "model.layers.*.mlp.router",
                                             "model.layers.*.self_attn"};
    if (kept != priced) {
      quant.fail("modules_to_not_convert",
                 "fathom prices MXFP4 on the routed experts only: expected exactly lm_head, model.embed_tokens, "
                 "model.layers.*.mlp.router and model.layers.*.self_attn");
    }
    quant.finish();
    return q;
  }
  q.fp8 = true;
  // Dynamic per-tile activation scales (T26) are what fathom's FP8 GEMMs price; e4m3 is the only FP8
  // weight format priced; the scale format (FP32 or UE8M0) changes the scale bytes by under 0.01%.
  if (quant.has("activation_scheme")) quant.choice("activation_scheme", {"dynamic"});
  if (quant.has("fmt")) quant.choice("fmt", {"e4m3"});
  if (quant.has("scale_fmt")) quant.text("scale_fmt");
  if (quant.has("weight_block_size") && !quant.raw("weight_block_size").is_null()) {
    const std::vector<double> block = quant.numbers("weight_block_size");
    const auto whole = [](double v) {
      return v >= 1 && v <= (1 << 20) && v == static_cast<double>(static_cast<int64_t>(v));
    };
    if (block.size() != 2 || !whole(block[0]) || !whole(block[1])) {
      quant.fail("weight_block_size", "expected two positive integers, e.g. [128, 128]");
    }
    q.block_rows = static_cast<int64_t>(block[0]);
    q.block_cols = static_cast<int64_t>(block[1]);
  }
  quant.finish();
  return q;
}

namespace {

// Fields every decoder-only config shares.
void read_common(const SpecReader& config, ModelArch& arch) {
  arch.hidden = positive_integer(config, "hidden_size");
  arch.layers = positive_integer(config, "num_hidden_layers");
  arch.vocab = positive_integer(config, "vocab_size");
  arch.heads = positive_integer(config, "num_attention_heads");
  arch.kv_heads = optional_integer(config, "num_key_value_heads", arch.heads);
  if (arch.kv_heads < 1) config.fail("num_key_value_heads", "must be at least 1");
  arch.tie_word_embeddings = config.has("tie_word_embeddings") && config.boolean("tie_word_embeddings");
  arch.max_context = optional_integer(config, "max_position_embeddings", 0);
  arch.quantization = read_quantization(config);
}

// Sliding-window attention. Qwen2/Qwen3 write use_sliding_window (only false is priced: their
// max_window_layers split is not modelled); Mistral/Mixtral a sliding_window for every layer (null =
// none); gpt-oss a sliding_window with layer_types naming each layer's attention.
void read_sliding_window(const SpecReader& config, ModelArch& a) {
  if (config.has("use_sliding_window")) {
    if (config.boolean("use_sliding_window")) {
      config.fail("use_sliding_window", "true is not supported (Qwen's max_window_layers split is not priced)");
    }
    for (std::string_view unused : {"sliding_window", "max_window_layers"}) {
      if (config.has(unused)) config.raw(unused);  // not used while use_sliding_window is false
    }
    return;
  }
  const bool window = config.has("sliding_window") && !config.raw("sliding_window").is_null();
  if (!config.has("layer_types")) {
    if (!window) return;
    a.sliding_window = positive_integer(config, "sliding_window");
    a.sliding_layer.assign(static_cast<size_t>(a.layers), true);
    return;
  }
  const nlohmann::json& types = config.raw("layer_types");
  if (!types.is_array() || static_cast<int64_t>(types.size()) != a.layers) {
    config.fail("layer_types", fmt::format("expected an array of {} entries, one per layer", a.layers));
  }
  for (const auto& t : types) {
    // Compared as std::string: json == "literal" trips GCC 12's -Warray-bounds (a false positive).
    const std::string kind = t.is_string() ? t.get<std::string>() : std::string();
    if (kind != "sliding_attention" && kind != "full_attention") {
      config.fail("layer_types", fmt::format("{} is not \"sliding_attention\" or \"full_attention\"", brief(t)));
    }
    a.sliding_layer.push_back(kind == "sliding_attention");
  }
  if (a.sliding_layer_count() > 0) {
    if (!window) config.fail("sliding_window", "required key is missing (layer_types names sliding layers)");
    a.sliding_window = positive_integer(config, "sliding_window");
  }
}

// GQA attention fields: head_dim defaults to hidden / heads; heads must be a multiple of kv_heads.
void read_gqa(const SpecReader& config, ModelArch& arch) {
  arch.attention = AttentionKind::gqa;
  if (arch.heads % arch.kv_heads != 0) {
    config.fail("num_key_value_heads",
                fmt::format("{} does not divide num_attention_heads {}", arch.kv_heads, arch.heads));
  }
  arch.head_dim = optional_integer(config, "head_dim", 0);
  if (arch.head_dim == 0) {
    if (arch.hidden % arch.heads != 0)
      config.fail("head_dim", "required key is missing (hidden_size / heads is not whole)");
    arch.head_dim = arch.hidden / arch.heads;
  }
  // Llama/Qwen3/gpt-oss attention_bias: biases on q, k, v and o alike.
  if (config.has("attention_bias")) arch.qkv_bias = arch.o_bias = config.boolean("attention_bias");
  read_sliding_window(config, arch);
}

void check_top_k(const SpecReader& config, const ModelArch& arch) {
  if (arch.routed_experts == 0) return;
  if (arch.experts_per_token < 1 || arch.experts_per_token > arch.routed_experts) {
    config.fail("num_experts_per_tok", fmt::format("must be between 1 and the {} routed experts", arch.routed_experts));
  }
  if (arch.moe_intermediate < 1) config.fail("moe_intermediate_size", "must be at least 1");
  // Group-limited routing (DeepSeek-V3 §2.1.2): the experts split into n_group equal groups, and each
  // token picks its top-k among the experts of topk_group groups.
  if (arch.n_group > 1) {
    if (arch.routed_experts % arch.n_group != 0) {
      config.fail("n_group", fmt::format("{} does not divide the {} routed experts into equal groups", arch.n_group,
                                         arch.routed_experts));
    }
    if (arch.topk_group < 1 || arch.topk_group > arch.n_group) {
      config.fail("topk_group", fmt::format("must be between 1 and n_group {}, got {}", arch.n_group, arch.topk_group));
    }
    const int64_t reachable = arch.topk_group * (arch.routed_experts / arch.n_group);
    if (arch.experts_per_token > reachable) {
      config.fail("num_experts_per_tok", fmt::format("{} experts per token, but topk_group {} groups hold only {}",
                                                     arch.experts_per_token, arch.topk_group, reachable));
    }
  }
}

// The parameter count the dimensions describe, in double: refuses a model whose counts would not fit
// the int64 arithmetic of the counters (1e15 parameters is ~1500 times DeepSeek-V3).
void check_scale(const SpecReader& config, const ModelArch& a) {
  const double h = static_cast<double>(a.hidden);
  const double ffn = 3.0 * h *
                     (static_cast<double>(a.intermediate) + static_cast<double>(a.routed_experts + a.shared_experts) *
                                                                static_cast<double>(a.moe_intermediate));
  const double attention =
      4.0 * h * static_cast<double>(a.heads) * static_cast<double>(std::max(a.head_dim, a.v_dim())) +
      h * static_cast<double>(a.q_lora_rank + a.kv_lora_rank);
  const double params =
      static_cast<double>(a.layers + a.mtp_layers) * (ffn + attention) + 2.0 * h * static_cast<double>(a.vocab);
  if (params > 1e15) {
    config.fail("hidden_size", fmt::format("the dimensions describe about {:.2g} parameters; fathom refuses models "
                                           "above 1e15",
                                           params));
  }
}

// DeepSeek Sparse Attention (DeepSeek-V3.2): the lightning indexer's keys, all three or none. The
// indexer's queries come from the compressed query (q_lora_rank), so MLA without it cannot carry one.
void read_indexer(const SpecReader& config, ModelArch& a) {
  const bool any = config.has("index_topk") || config.has("index_n_heads") || config.has("index_head_dim");
  if (!any) return;
  a.index_heads = positive_integer(config, "index_n_heads");
  a.index_head_dim = positive_integer(config, "index_head_dim");
  a.index_topk = positive_integer(config, "index_topk");
  if (a.q_lora_rank == 0) config.fail("index_topk", "the indexer needs a compressed query (q_lora_rank is null)");
}

}  // namespace

ModelArch build_deepseek(const SpecReader& config) {
  ModelArch a;
  read_common(config, a);
  a.attention = AttentionKind::mla;
  // q_lora_rank must be present; null means the query is projected directly (DeepSeek-V2-Lite).
  a.q_lora_rank = config.raw("q_lora_rank").is_null() ? 0 : positive_integer(config, "q_lora_rank");
  a.kv_lora_rank = positive_integer(config, "kv_lora_rank");
  a.qk_nope_head_dim = positive_integer(config, "qk_nope_head_dim");
  a.qk_rope_head_dim = positive_integer(config, "qk_rope_head_dim");
  a.v_head_dim = positive_integer(config, "v_head_dim");
  a.head_dim = a.qk_nope_head_dim + a.qk_rope_head_dim;

  a.intermediate = positive_integer(config, "intermediate_size");
  // null: a model without routed experts (every layer dense); a number must be at least 1.
  a.routed_experts = config.raw("n_routed_experts").is_null() ? 0 : positive_integer(config, "n_routed_experts");
  if (a.routed_experts > 0) {
    a.experts_per_token = positive_integer(config, "num_experts_per_tok");
    a.moe_intermediate = positive_integer(config, "moe_intermediate_size");
    a.shared_experts = optional_integer(config, "n_shared_experts", 0);
    a.n_group = optional_integer(config, "n_group", 1);
    a.topk_group = optional_integer(config, "topk_group", 1);
    // noaux_tc routing (DeepSeek-V3, Kimi-K2) keeps a per-expert score-correction bias; V2's greedy
    // and group_limited_greedy do not. Absent: the transformers default, noaux_tc from V3 on.
    const bool v2 = config.text("model_type") == "deepseek_v2";
    const std::string method =
        config.has("topk_method")
            ? config.choice("topk_method", {"noaux_tc", "greedy", "gready", "group_limited_greedy"})
            : (v2 ? "greedy" : "noaux_tc");
    a.router_bias = method == "noaux_tc";
  } else {
    // Without routed experts the MoE keys describe nothing priced.
    for (std::string_view unused :
         {"num_experts_per_tok", "moe_intermediate_size", "n_shared_experts", "n_group", "topk_group", "topk_method"}) {
      if (config.has(unused)) config.raw(unused);
    }
  }
  read_indexer(config, a);
  a.first_k_dense = optional_integer(config, "first_k_dense_replace", 0);
  const int64_t freq = std::max<int64_t>(1, optional_integer(config, "moe_layer_freq", 1));
  auto is_moe = [&](int64_t i) { return a.routed_experts > 0 && i >= a.first_k_dense && i % freq == 0; };
  for (int64_t i = 0; i < a.layers; ++i) a.moe_layer.push_back(is_moe(i));
  a.mtp_layers = optional_integer(config, "num_nextn_predict_layers", 0);
  a.mtp_layer_is_moe = is_moe(a.layers);
  check_top_k(config, a);
  check_scale(config, a);
  return a;
}

ModelArch build_deepseek_v32(const SpecReader& config) {
  if (!config.has("index_topk"))
    config.fail("index_topk", "required key is missing (the V3.2 sparse-attention indexer)");
  return build_deepseek(config);
}

ModelArch build_mixtral(const SpecReader& config) {
  ModelArch a;
  read_common(config, a);
  read_gqa(config, a);
  // Every layer is MoE; each expert is a SwiGLU FFN of intermediate_size; softmax router, no shared expert.
  a.routed_experts = positive_integer(config, "num_local_experts");
  a.experts_per_token = positive_integer(config, "num_experts_per_tok");
  a.moe_intermediate = positive_integer(config, "intermediate_size");
  a.moe_layer.assign(static_cast<size_t>(a.layers), true);
  check_top_k(config, a);
  check_scale(config, a);
  return a;
}

ModelArch build_gpt_oss(const SpecReader& config) {
  ModelArch a;
  read_common(config, a);
  read_gqa(config, a);  // attention_bias, sliding_window + layer_types
  a.attention_sinks = true;
  // Every layer is MoE: num_local_experts experts of width intermediate_size, top-k of a softmax
  // router with a bias; each expert's gate_up and down projections carry biases (no shared expert).
  a.routed_experts = positive_integer(config, "num_local_experts");
  a.experts_per_token = positive_integer(config, "num_experts_per_tok");
  if (config.has("experts_per_token") && config.integer("experts_per_token") != a.experts_per_token) {
    config.fail("experts_per_token", fmt::format("differs from num_experts_per_tok {}", a.experts_per_token));
  }
  a.moe_intermediate = positive_integer(config, "intermediate_size");
  a.router_bias = true;
  a.expert_bias = true;
  a.moe_layer.assign(static_cast<size_t>(a.layers), true);
  check_top_k(config, a);
  check_scale(config, a);
  return a;
}

ModelArch build_qwen2(const SpecReader& config) {
  ModelArch a = build_llama(config);
  a.qkv_bias = true;  // Qwen2 attention: q/k/v projections with biases, o_proj without
  return a;
}

ModelArch build_qwen3_moe(const SpecReader& config) {
  ModelArch a;
  read_common(config, a);
  read_gqa(config, a);
  a.qk_norm = true;
  a.intermediate = optional_integer(config, "intermediate_size", 0);
  a.routed_experts = positive_integer(config, "num_experts");
  a.experts_per_token = positive_integer(config, "num_experts_per_tok");
  a.moe_intermediate = positive_integer(config, "moe_intermediate_size");
  const int64_t step = std::max<int64_t>(1, optional_integer(config, "decoder_sparse_step", 1));
  std::vector<int64_t> mlp_only;
  if (config.has("mlp_only_layers") && !config.raw("mlp_only_layers").is_null()) {
    for (double v : config.numbers("mlp_only_layers")) {
      if (!(v >= 0 && v < static_cast<double>(a.layers)) || v != static_cast<double>(static_cast<int64_t>(v))) {
        config.fail("mlp_only_layers", fmt::format("{} is not a layer index (0 to {})", v, a.layers - 1));
      }
      mlp_only.push_back(static_cast<int64_t>(v));
    }
  }
  for (int64_t i = 0; i < a.layers; ++i) {
    const bool dense = std::find(mlp_only.begin(), mlp_only.end(), i) != mlp_only.end();
    a.moe_layer.push_back(!dense && (i + 1) % step == 0);
  }
  if (a.dense_layer_count() > 0 && a.intermediate < 1) config.fail("intermediate_size", "required key is missing");
  check_top_k(config, a);
  check_scale(config, a);
  return a;
}

ModelArch build_qwen3(const SpecReader& config) {
  ModelArch a = build_llama(config);
  a.qk_norm = true;
  return a;
}

ModelArch build_llama(const SpecReader& config) {
  ModelArch a;
  read_common(config, a);
  read_gqa(config, a);
  a.intermediate = positive_integer(config, "intermediate_size");
  a.moe_layer.assign(static_cast<size_t>(a.layers), false);
  check_scale(config, a);
  return a;
}

}  // namespace fathom::models::detail
