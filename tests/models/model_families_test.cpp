// The architectures beyond DeepSeek-V3 and Qwen3 (Kimi-K2, DeepSeek-V3.2, gpt-oss, Mixtral, Llama-3.1):
// parameter counts against the totals published on the model cards, hand-computed FLOPs of sliding-window
// and sparse attention, and the one-line refusals of config keys fathom does not price.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "models/hf_config.h"
#include "models/ops.h"
#include "models/param_counts.h"
#include "sim/error.h"
#include "support/hf_config_error.h"
#include "support/tiny_model.h"

using namespace fathom;
using namespace fathom::models;

namespace {

const std::string kModels = std::string(FATHOM_SOURCE_DIR) + "/scenarios/models/";

const auto error_of = fathom::test::hf_config_error;

std::map<std::string, hw::KernelWork> by_name(const std::vector<Op>& ops) {
  std::map<std::string, hw::KernelWork> m;
  for (const auto& op : ops) m[op.name] = op.work;
  return m;
}

// A tiny gpt-oss: d = 64, 4 heads of 16, 2 KV heads, layer 0 sliding (window 4), layer 1 full, 4 experts
// of width 32, top-2.
nlohmann::json tiny_gpt_oss() {
  return {{"model_type", "gpt_oss"},
          {"hidden_size", 64},
          {"num_hidden_layers", 2},
          {"vocab_size", 100},
          {"num_attention_heads", 4},
          {"num_key_value_heads", 2},
          {"head_dim", 16},
          {"intermediate_size", 32},
          {"num_local_experts", 4},
          {"num_experts_per_tok", 2},
          {"attention_bias", true},
          {"sliding_window", 4},
          {"layer_types", {"sliding_attention", "full_attention"}}};
}

}  // namespace

TEST_CASE("Kimi-K2: the DeepSeek-V3 architecture with 384 experts and 64 heads, 1.03T total, 32.9B activated",
          "[unit]") {
  const ModelArch a = load_hf_config(kModels + "kimi-k2-instruct.config.json");
  CHECK(a.attention == AttentionKind::mla);
  CHECK(a.heads == 64);
  CHECK(a.routed_experts == 384);
  CHECK(a.n_group == 1);
  CHECK(a.dense_layer_count() == 1);
  CHECK(a.moe_layer_count() == 60);
  CHECK(a.mtp_layers == 0);
  CHECK(a.router_bias);  // noaux_tc
  CHECK(a.quantization.fp8);
  const ParamCounts p = count_params(a);
  // MLA with 64 heads: q_a 7168*1536 + 1536 + q_b 1536*64*192 + kv_a 7168*576 + 512 + kv_b 512*64*256
  //   + o 7168*64*128 = 101,124,096 per layer; MoE FFN: gate 384*7168 + bias 384 + 385 experts of
  //   44,040,192 = 16,958,226,816; embedding = head = 163840*7168.
  // total = 2*1,174,405,120 + 7168 + 61*(101,124,096 + 14,336) + 396,361,728 + 60*16,958,226,816
  CHECK(p.total == 1026408232448);
  CHECK(p.activated_per_token == 32861500928);
  // Published (Kimi-K2 tech report): 1.04T total, 32.6B activated. fathom counts 1.3% fewer in total
  // and 0.8% more activated (the report does not say what it counts); tolerance 2%.
  CHECK(double(p.total) == Approx(1.04e12).epsilon(0.02));
  CHECK(double(p.activated_per_token) == Approx(32.6e9).epsilon(0.02));
}

TEST_CASE("DeepSeek-V3.2: V3 plus the lightning indexer, 671.9B main, indexer 14.0M per layer", "[unit]") {
  const ModelArch a = load_hf_config(kModels + "deepseek-v3.2.config.json");
  CHECK(a.model_type == "deepseek_v32");
  CHECK(a.sparse_attention());
  CHECK(a.index_heads == 64);
  CHECK(a.index_head_dim == 128);
  CHECK(a.index_topk == 2048);
  const ParamCounts p = count_params(a);
  // Indexer per layer: wq_b 64*128*1536 + wk 128*7168 + k_norm (weight, bias) 2*128 + weights_proj
  //   64*7168 = 13,959,424; V3's 671,026,419,200 + 61 layers of it; the MTP module carries one too.
  CHECK(p.total == 671026419200 + 61 * 13959424);
  CHECK(p.mtp == 11610068224 + 13959424);
  // Published: 671B main + MTP, like V3 (tolerance 0.2%: the indexer is 0.13%).
  CHECK(double(p.total) == Approx(671e9).epsilon(0.002));
  // KV cache per token and layer: V3's 576 BF16 values + the index key, 128 FP8 + one FP32 scale.
  CHECK(kv_cache_bytes_per_token_per_layer(a, hw::DType::bf16).value() == 1152.0 + 132.0);
  CHECK(attention_cache_bytes_per_token_per_layer(a, hw::DType::bf16).value() == 1152.0);
}

TEST_CASE("DeepSeek-V3.2 FP8 KV cache: FlashMLA's 656 B layout (K06) plus the 132 B index key", "[unit]") {
  const ModelArch a = load_hf_config(kModels + "deepseek-v3.2.config.json");
  CHECK(uses_sparse_mla_fp8_cache_layout(a, hw::DType::fp8));
  CHECK_FALSE(uses_sparse_mla_fp8_cache_layout(a, hw::DType::bf16));
  // K06: 512 FP8 NoPE values + 4 FP32 scales (one per 128) + 64 BF16 RoPE values = 512 + 16 + 128.
  CHECK(attention_cache_bytes_per_token_per_layer(a, hw::DType::fp8).value() == 656.0);
  // The indexer's own key cache is separate and the same in either dtype: 128 FP8 + one FP32 scale.
  CHECK(index_key_bytes_per_token_per_layer(a).value() == 132.0);
  CHECK(kv_cache_bytes_per_token_per_layer(a, hw::DType::fp8).value() == 656.0 + 132.0);
  // The main model's 61 layers.
  CHECK(kv_cache_bytes_per_token(a, hw::DType::fp8).value() == 61.0 * 788.0);
}

TEST_CASE("gpt-oss-120b: 116.83B total, 5.13B active without the embedding, MXFP4 experts = 60.8 GiB", "[unit]") {
  const ModelArch a = load_hf_config(kModels + "gpt-oss-120b.config.json");
  CHECK(a.attention == AttentionKind::gqa);
  CHECK(a.attention_sinks);
  CHECK(a.qkv_bias);
  CHECK(a.o_bias);
  CHECK(a.sliding_window == 128);
  CHECK(a.sliding_layer_count() == 18);
  CHECK(a.is_sliding(0));
  CHECK_FALSE(a.is_sliding(1));
  CHECK(a.moe_layer_count() == 36);
  CHECK(a.router_bias);
  CHECK(a.expert_bias);
  CHECK(a.quantization.mxfp4_experts);
  CHECK_FALSE(a.quantization.fp8);
  const ParamCounts p = count_params(a);
  // Attention: q 2880*4096 + k, v 2*2880*512 + o 4096*2880 + biases 4096 + 2*512 + 2880 + sinks 64
  //   = 26,550,144; expert 3*2880*2880 + biases 2*2880 + 2880 = 24,891,840; router 128*2880 + 128.
  CHECK(p.per_expert == 24891840);
  // total = 2*201088*2880 + 2880 + 36*(26,550,144 + 5,760 + 368,768 + 128*24,891,840) (model card: 116.83B)
  CHECK(p.total == 116829156672);
  CHECK(double(p.total) == Approx(116.83e9).epsilon(0.0005));
  // The model card's 5.13B active leaves out the embedding (a gather): 5,711,982,912 - 579,133,440.
  CHECK(p.activated_per_token == 5711982912);
  CHECK(double(p.activated_per_token - p.embedding) == Approx(5.13e9).epsilon(0.001));
  // Checkpoint: experts in MXFP4 (0.5 B per element + 1 B per 32), the rest BF16; model card 60.8 GiB.
  const WeightBytes w = weight_bytes(a, hw::DType::bf16);
  CHECK(w.per_routed_expert.value() == 3.0 * 2880 * 2880 * 0.5 + 3.0 * 2880 * 90 + 2.0 * (2 * 2880 + 2880));
  CHECK(w.total_main().value() / double(1ull << 30) == Approx(60.8).epsilon(0.002));
  // KV cache per token: only the 18 full-attention layers grow with the context (2*8*64*2 B each); the
  // 18 sliding layers hold 128 tokens per sequence.
  CHECK(kv_cache_bytes_per_token(a, hw::DType::bf16).value() == 18.0 * 2048.0);
  CHECK(sliding_window_cache_bytes_per_sequence(a, hw::DType::bf16).value() == 18.0 * 2048.0 * 128.0);
}

TEST_CASE("Mixtral-8x7B: 46.7B total, 12.9B active", "[unit]") {
  const ModelArch a = load_hf_config(kModels + "mixtral-8x7b-v0.1.config.json");
  CHECK(a.routed_experts == 8);
  CHECK(a.experts_per_token == 2);
  CHECK(a.shared_experts == 0);
  CHECK(a.moe_intermediate == 14336);
  CHECK(a.sliding_layer_count() == 0);  // sliding_window null
  const ParamCounts p = count_params(a);
  // attention 4096*4096*2 + 2*4096*1024 = 41,943,040; experts 3*4096*14336 = 176,160,768; gate 8*4096.
  CHECK(p.total == 46702792704);
  CHECK(p.activated_per_token == 12879925248);
  CHECK(double(p.total) == Approx(46.7e9).epsilon(0.001));
  CHECK(double(p.activated_per_token) == Approx(12.9e9).epsilon(0.002));
}

TEST_CASE("Llama-3.1 405B and 70B: dense GQA counts", "[unit]") {
  const ParamCounts big = count_params(load_hf_config(kModels + "llama-3.1-405b.config.json"));
  // 2*128256*16384 + 16384 + 126*(2*16384*16384 + 2*16384*1024 + 2*16384 + 3*16384*53248)
  CHECK(big.total == 405853388800);
  CHECK(double(big.total) == Approx(405e9).epsilon(0.005));  // published "405B"
  CHECK(big.activated_per_token == big.total);
  const ParamCounts mid = count_params(load_hf_config(kModels + "llama-3.1-70b.config.json"));
  CHECK(mid.total == 70553706496);
  CHECK(double(mid.total) == Approx(70.6e9).epsilon(0.005));  // published "70B" (70.6B on the model card)
}

TEST_CASE("Qwen3-30B-A3B: 30.5B total, 3.3B active", "[unit]") {
  const ParamCounts p = count_params(load_hf_config(kModels + "qwen3-30b-a3b.config.json"));
  CHECK(double(p.total) == Approx(30.5e9).epsilon(0.005));
  CHECK(double(p.activated_per_token) == Approx(3.3e9).epsilon(0.03));
}

TEST_CASE("Sliding-window attention FLOPs by hand (tiny gpt-oss)", "[unit]") {
  const ModelArch a = parse_hf_config(tiny_gpt_oss(), "tiny-oss.json");
  const CostOptions bf16;
  // Prefill of one sequence of 8 tokens. Sliding layer (window 4): keys per query min(p + 1, 4) =
  // 1+2+3+4+4+4+4+4 = 26 pairs; full layer: 36. FLOPs 2 * 4 heads * (16 + 16) * pairs + sinks 2*8*4.
  const auto sliding = by_name(prefill_layer_ops(a, 0, PrefillShape{1, 8}, bf16));
  const auto full = by_name(prefill_layer_ops(a, 1, PrefillShape{1, 8}, bf16));
  CHECK(sliding.at("attention").flops.value() == 2.0 * 4 * 32 * 26 + 64);
  CHECK(full.at("attention").flops.value() == 2.0 * 4 * 32 * 36 + 64);
  // With 2 cached tokens and 3 new: positions 2, 3, 4 see 3 + 4 + 4 = 11 keys in the window.
  PrefillShape cached{1, 3};
  cached.prefix_len = 2;
  CHECK(by_name(prefill_layer_ops(a, 0, cached, bf16)).at("attention").flops.value() == 2.0 * 4 * 32 * 11 + 2 * 3 * 4);
  // Decode at context 10: the sliding layer reads 4 keys, the full layer 10.
  const auto sd = by_name(decode_layer_ops(a, 0, DecodeShape{1, 10}, bf16));
  const auto fd = by_name(decode_layer_ops(a, 1, DecodeShape{1, 10}, bf16));
  CHECK(sd.at("attention").flops.value() == 2.0 * 4 * 4 * 32 + 8);
  CHECK(sd.at("attention").seq_kv == 4);
  CHECK(fd.at("attention").flops.value() == 2.0 * 4 * 10 * 32 + 8);
  // Params: attention 64*64*2 + 2*64*32 + biases 64 + 2*32 + 64 + sinks 4; expert 3*64*32 + 2*32 + 64.
  CHECK(count_params(a).per_expert == 3 * 64 * 32 + 64 + 64);
}

TEST_CASE("DeepSeek Sparse Attention FLOPs by hand (tiny V3.2)", "[unit]") {
  nlohmann::json cfg = {{"model_type", "deepseek_v32"},
                        {"hidden_size", 64},
                        {"num_hidden_layers", 2},
                        {"vocab_size", 100},
                        {"num_attention_heads", 2},
                        {"q_lora_rank", 32},
                        {"kv_lora_rank", 16},
                        {"qk_nope_head_dim", 8},
                        {"qk_rope_head_dim", 4},
                        {"v_head_dim", 8},
                        {"intermediate_size", 96},
                        {"moe_intermediate_size", 16},
                        {"n_routed_experts", 4},
                        {"n_shared_experts", 1},
                        {"num_experts_per_tok", 2},
                        {"first_k_dense_replace", 1},
                        {"index_n_heads", 2},
                        {"index_head_dim", 8},
                        {"index_topk", 3}};
  const ModelArch a = parse_hf_config(cfg, "tiny-v32.json");
  const CostOptions bf16;
  // Prefill of 64 tokens: the indexer scores all 64*65/2 = 2080 causal pairs, 2 heads * (2*8 + 3)
  // FLOPs each; MLA attends min(p + 1, 3) = 1 + 2 + 3*62 = 189 pairs in the absorbed form, 2 * 2 heads
  // * (20 + 16) each (27,216 + absorb GEMMs 65,536 < naive 2*2*20*2080 + kv_b_proj 65,536).
  const auto pre = by_name(prefill_layer_ops(a, 0, PrefillShape{1, 64}, bf16));
  CHECK(pre.at("indexer_logits").flops.value() == 2.0 * 2080 * 19);
  CHECK(pre.at("attention").flops.value() == 2.0 * 2 * 189 * 36);
  CHECK(pre.count("kv_b_proj") == 0);  // the latent is never expanded
  CHECK(pre.at("q_absorb_w_uk").flops.value() == 2.0 * 64 * 2 * 8 * 16);
  // Prefill of 4 tokens: the sparse form (2*2*36*9 + 4,096 = 5,392 FLOPs) costs more than the naive
  // form over all 10 pairs (2*2*20*10 + kv_b_proj 2,048 = 2,848): the masked naive form runs, the
  // indexer still scores.
  const auto short_pre = by_name(prefill_layer_ops(a, 0, PrefillShape{1, 4}, bf16));
  CHECK(short_pre.at("attention").flops.value() == 2.0 * 2 * 20 * 10);
  CHECK(short_pre.count("kv_b_proj") == 1);
  CHECK(short_pre.at("indexer_logits").flops.value() == 2.0 * 10 * 19);
  // Decode at context 10: the indexer reads 10 index keys (8 + 4 B each), MLA attends 3.
  const auto dec = by_name(decode_layer_ops(a, 0, DecodeShape{1, 10}, bf16));
  CHECK(dec.at("indexer_logits").flops.value() == 2.0 * 10 * 19);
  CHECK(dec.at("indexer_logits").bytes_read.value() == 10.0 * 12 + 2.0 * (8 + 4 + 4));
  CHECK(dec.at("attention").flops.value() == 2.0 * 2 * 3 * 36);
  CHECK(dec.at("attention").seq_kv == 3);
  // V3.2 needs the indexer keys.
  cfg.erase("index_topk");
  CHECK_THAT(error_of(cfg), Catch::StartsWith("test.config.json: index_topk: required key is missing"));
}

TEST_CASE("Config keys fathom does not price are one error line, never ignored", "[unit]") {
  const nlohmann::json cfg = {{"model_type", "llama"},    {"hidden_size", 64},        {"num_hidden_layers", 2},
                              {"vocab_size", 100},        {"num_attention_heads", 4}, {"num_key_value_heads", 2},
                              {"intermediate_size", 128}, {"rope_theta", 500000.0},   {"hidden_act", "silu"},
                              {"mlp_bias", false},        {"torch_dtype", "bfloat16"}};
  CHECK(error_of(cfg).empty());

  nlohmann::json unknown = cfg;
  unknown["num_soft_experts"] = 4;
  CHECK(error_of(unknown) ==
        "test.config.json: num_soft_experts: unknown config field: fathom cannot tell whether it changes the cost "
        "(the fields it accepts unread are listed in docs/models.md, \"Config keys\")");

  nlohmann::json gelu = cfg;
  gelu["hidden_act"] = "gelu";
  CHECK(error_of(gelu) ==
        "test.config.json: hidden_act: \"gelu\" is not supported (fathom prices SwiGLU feed-forward blocks: \"silu\")");

  nlohmann::json bias = cfg;
  bias["mlp_bias"] = true;
  CHECK_THAT(error_of(bias), Catch::StartsWith("test.config.json: mlp_bias: true is not supported"));

  // DeepSeek's MLA has no biases: attention_bias true is refused there (read as a priced key by GQA).
  nlohmann::json mla = test::tiny_deepseek_config();
  mla["attention_bias"] = true;
  CHECK_THAT(error_of(mla), Catch::StartsWith("test.config.json: attention_bias: true is not supported"));

  nlohmann::json qwen_window = cfg;
  qwen_window["use_sliding_window"] = true;
  CHECK_THAT(error_of(qwen_window), Catch::StartsWith("test.config.json: use_sliding_window: true is not supported"));

  nlohmann::json oss = tiny_gpt_oss();
  oss["layer_types"] = {"sliding_attention", "chunked_attention"};
  CHECK_THAT(error_of(oss), Catch::StartsWith("test.config.json: layer_types: \"chunked_attention\" is not"));
  oss["layer_types"] = {"sliding_attention"};
  CHECK(error_of(oss) == "test.config.json: layer_types: expected an array of 2 entries, one per layer");

  nlohmann::json mxfp4 = tiny_gpt_oss();
  mxfp4["quantization_config"] = {{"quant_method", "mxfp4"}, {"modules_to_not_convert", {"lm_head"}}};
  CHECK_THAT(error_of(mxfp4), Catch::StartsWith("test.config.json: quantization_config.modules_to_not_convert: "
                                                "fathom prices MXFP4 on the routed experts only"));
}

TEST_CASE("Every shipped model config reads", "[unit]") {
  for (const char* f : {"deepseek-v3.config.json", "deepseek-v3.2.config.json", "kimi-k2-instruct.config.json",
                        "gpt-oss-120b.config.json", "mixtral-8x7b-v0.1.config.json", "llama-3.1-405b.config.json",
                        "llama-3.1-70b.config.json", "qwen3-235b-a22b.config.json", "qwen3-30b-a3b.config.json",
                        "qwen3-8b.config.json"}) {
    INFO(f);
    CHECK_NOTHROW(load_hf_config(kModels + f));
  }
}

TEST_CASE("DeepSeek's inference format reads as the same model as its HF config", "[unit]") {
  const ModelArch exp = load_hf_config(kModels + "deepseek-v3.2-exp.deepseek-inference-format.json");
  const ModelArch hf = load_hf_config(kModels + "deepseek-v3.2.config.json");
  CHECK(exp.name == "deepseek-v3.2-exp.deepseek-inference-format.json");
  CHECK(exp.model_type == "deepseek_v32");
  CHECK(exp.mtp_layers == 0);  // the format carries no MTP module
  CHECK(exp.quantization.fp8);
  const ParamCounts a = count_params(exp), b = count_params(hf);
  CHECK(a.total == b.total);
  CHECK(a.activated_per_token == b.activated_per_token);
  CHECK(exp.index_topk == hf.index_topk);

  const nlohmann::json bad = {{"dim", 64}, {"n_layers", 2}, {"n_experts", 4}};
  try {
    parse_hf_config(bad, "inf.json");
    FAIL("accepted an unknown key");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) ==
          "inf.json: n_experts: unknown key of DeepSeek's inference config format (docs/models.md)");
  }
}
