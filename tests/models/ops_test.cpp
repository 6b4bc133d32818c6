// Per-layer op lists on a tiny hand-made MLA + MoE model whose every op is computed by hand, and
// DeepSeek-V3 spot checks.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "models/hf_config.h"
#include "models/ops.h"
#include "support/tiny_model.h"

using namespace fathom;
using namespace fathom::models;

namespace {

// The tiny model (tests/support/tiny_model.h).
ModelArch tiny() { return test::tiny_deepseek(); }

std::map<std::string, hw::KernelWork> by_name(const std::vector<Op>& ops) {
  std::map<std::string, hw::KernelWork> m;
  for (const auto& op : ops) m[op.name] = op.work;
  return m;
}

const std::string kModels = std::string(FATHOM_SOURCE_DIR) + "/scenarios/models/";

}  // namespace

TEST_CASE("Tiny MoE layer prefill: every op by hand", "[unit]") {
  const ModelArch a = tiny();
  const CostOptions bf16;                                              // all BF16
  const auto ops = prefill_layer_ops(a, 1, PrefillShape{1, 4}, bf16);  // T = 4 tokens
  const auto m = by_name(ops);
  REQUIRE(ops.size() == 24);  // BF16 GEMMs: no FP8 casts (ops_fp8_test.cpp)
  // input_layernorm: 4 FLOP * 4 tokens * 64; reads 4*64*2 + weight 64*2, writes 4*64*2.
  CHECK(m.at("input_layernorm").flops.value() == 1024);
  CHECK(m.at("input_layernorm").bytes_read.value() == 640);
  CHECK(m.at("input_layernorm").bytes_written.value() == 512);
  // q_a_proj 64 -> 32: 2*4*64*32 = 16384; reads X 4*64*2 = 512 + W 32*64*2 = 4096; writes 4*32*2.
  CHECK(m.at("q_a_proj").flops.value() == 16384);
  CHECK(m.at("q_a_proj").bytes_read.value() == 4608);
  CHECK(m.at("q_a_proj").bytes_written.value() == 256);
  CHECK(m.at("q_a_proj").m == 4);
  CHECK(m.at("q_a_proj").k == 64);
  CHECK(m.at("q_a_proj").n == 32);
  CHECK(m.at("q_a_layernorm").flops.value() == 4 * 4 * 32);
  // q_b_proj 32 -> 2 heads * 12 = 24: 2*4*32*24 = 6144; reads 4*32*2 + 24*32*2 = 1792.
  CHECK(m.at("q_b_proj").flops.value() == 6144);
  CHECK(m.at("q_b_proj").bytes_read.value() == 1792);
  // kv_a_proj 64 -> 16 + 4 = 20: 2*4*64*20 = 10240.
  CHECK(m.at("kv_a_proj_with_mqa").flops.value() == 10240);
  CHECK(m.at("kv_a_layernorm").flops.value() == 4 * 4 * 16);
  // RoPE on 4 tokens * (2 heads * 4 + 4) = 48 values * 3 FLOPs.
  CHECK(m.at("rope").flops.value() == 144);
  // kv_b_proj 16 -> 2 * (8 + 8) = 32: 2*4*16*32.
  CHECK(m.at("kv_b_proj").flops.value() == 4096);
  // Causal attention: 4*5/2 = 10 pairs; 2 * 2 heads * (12 + 8) * 10 = 800 FLOPs.
  // Reads Q, K (12/head) and V (8/head): 4*2*(12+12+8)*2 = 512 B; writes O 4*2*8*2 = 128
  // + latent KV cache 4 tokens * 20 * 2 = 160.
  CHECK(m.at("attention").family == hw::KernelFamily::attention_prefill);
  CHECK(m.at("attention").flops.value() == 800);
  CHECK(m.at("attention").bytes_read.value() == 512);
  CHECK(m.at("attention").bytes_written.value() == 288);
  CHECK(m.at("attention").seq_q == 4);
  CHECK(m.at("attention").heads == 2);
  // o_proj 16 -> 64: 2*4*16*64.
  CHECK(m.at("o_proj").flops.value() == 8192);
  CHECK(m.at("attn_residual").flops.value() == 256);
  CHECK(m.at("attn_residual").bytes_read.value() == 1024);
  // Router 64 -> 4 experts (BF16): 2*4*64*4; top-k scoring 4 FLOPs per score.
  CHECK(m.at("router").flops.value() == 2048);
  CHECK(m.at("router_topk").flops.value() == 64);
  // Routed experts: 4 tokens * top-2 = 8 rows, 2 per expert; gate+up 64 -> 32: 2*8*64*32 = 32768.
  // Experts read under uniform routing: 4 * (1 - (1 - 2/4)^4) = 3.75, each 2*16*64*2 = 4096 B of
  // gate+up weights -> 15360 B; plus X 8*64*2 = 1024 B.
  const auto& up = m.at("experts_gate_up");
  CHECK(up.family == hw::KernelFamily::grouped_gemm_contiguous);
  CHECK(up.flops.value() == 32768);
  CHECK(up.groups == 4);
  CHECK(up.m == 2);
  CHECK(up.bytes_read.value() == 16384);
  CHECK(up.bytes_written.value() == 8 * 32 * 2);
  CHECK(m.at("experts_act").flops.value() == 5 * 8 * 16);
  CHECK(m.at("experts_down").flops.value() == 2 * 8 * 16 * 64);
  // Permute: the 4 received tokens (all experts local) into 8 expert rows: reads 4 rows of 64 BF16 + an
  // int32 index per expert row, writes 8 rows. No FLOPs.
  CHECK(m.at("moe_permute").flops.value() == 0);
  CHECK(m.at("moe_permute").bytes_read.value() == 4 * 128 + 8 * 4);
  CHECK(m.at("moe_permute").bytes_written.value() == 8 * 128);
  // Unpermute: 8 rows weighted and summed into 4 tokens (2 FLOPs per row element); reads the rows and
  // an int32 index + FP32 weight each.
  CHECK(m.at("moe_unpermute").flops.value() == 2 * 8 * 64);
  CHECK(m.at("moe_unpermute").bytes_read.value() == 8 * (128 + 8));
  CHECK(m.at("moe_unpermute").bytes_written.value() == 4 * 128);
  // Shared expert: dense GEMMs on all 4 tokens.
  CHECK(m.at("shared_gate_up").flops.value() == 2 * 4 * 64 * 32);
  CHECK(m.at("shared_act").flops.value() == 5 * 4 * 16);
  CHECK(m.at("shared_down").flops.value() == 2 * 4 * 16 * 64);
  // Combine: the routed sum + the shared expert output, an add of 4 x 64.
  CHECK(m.at("moe_combine").flops.value() == 256);
  CHECK(m.at("moe_combine").bytes_read.value() == 2 * 4 * 128);
  // Sum of the 24 ops above.
  CHECK(total_flops(ops).value() == 127408);
  for (const auto& op : ops) CHECK(op.layer == 1);
}

TEST_CASE("Tiny MLA decode uses the absorbed form over the latent cache", "[unit]") {
  const ModelArch a = tiny();
  const auto m = by_name(decode_layer_ops(a, 1, DecodeShape{1, 8}, CostOptions{}));
  CHECK(m.count("kv_b_proj") == 0);
  // q_nope (8/head) x W_UK -> 16-dim latent, per head: 2 * (1 token * 2 heads) * 8 * 16 = 512;
  // weight 2 heads * 16 * 8 * 2 B = 512 B.
  CHECK(m.at("q_absorb_w_uk").flops.value() == 512);
  CHECK(m.at("q_absorb_w_uk").bytes_read.value() == 2 * 8 * 2 + 512);
  CHECK(m.at("q_absorb_w_uk").groups == 2);
  // Attention over 8 cached latents of 20 values: scores 2*2*8*20 + output 2*2*8*16 = 1152.
  // Reads the cache 8*20*2 = 320 B + q 2*20*2 = 80 B; writes 2*16*2 = 64 B + new latent 20*2 = 40 B.
  const auto& attn = m.at("attention");
  CHECK(attn.family == hw::KernelFamily::mla_decode);
  CHECK(attn.flops.value() == 1152);
  CHECK(attn.bytes_read.value() == 400);
  CHECK(attn.bytes_written.value() == 104);
  CHECK(attn.seq_kv == 8);
  CHECK(m.at("o_absorb_w_uv").flops.value() == 2 * 2 * 16 * 8);
  // One token, top-2 of 4: 2 rows; experts read 4*(1 - 1/2) = 2 -> 2 * 4096 B weights + X 2*64*2.
  const auto& up = m.at("experts_gate_up");
  CHECK(up.family == hw::KernelFamily::grouped_gemm_masked);
  CHECK(up.flops.value() == 2 * 2 * 64 * 32);
  CHECK(up.bytes_read.value() == 2 * 4096 + 256);
}

TEST_CASE("MoeLoad overrides the experts and tokens per expert", "[unit]") {
  const ModelArch a = tiny();
  const auto m = by_name(prefill_layer_ops(a, 1, PrefillShape{1, 4}, CostOptions{}, MoeLoad{1, 10.0}));
  // One local expert receiving 10 tokens: 2*10*64*32; reads X 10*64*2 + one expert 4096 B.
  CHECK(m.at("experts_gate_up").flops.value() == 2 * 10 * 64 * 32);
  CHECK(m.at("experts_gate_up").bytes_read.value() == 1280 + 4096);
  CHECK(m.at("experts_gate_up").groups == 1);
  CHECK(m.at("experts_gate_up").m == 10);
}

TEST_CASE("Training splits into F, B and W with the documented FLOP ratios", "[unit]") {
  const ModelArch a = tiny();
  const auto ops = training_layer_ops(a, 1, PrefillShape{1, 4}, CostOptions{});
  std::map<std::string, Op> m;
  for (const auto& op : ops) m[op.name] = op;
  // No KV cache in training: attention writes O and the FP32 log-sum-exp per query row and head.
  CHECK(m.at("attention").work.bytes_written.value() == 128 + 4 * 2 * 4);
  // q_a_proj: F = dgrad = wgrad = 2*4*64*32.
  CHECK(m.at("q_a_proj.dgrad").pass == Pass::backward_input);
  CHECK(m.at("q_a_proj.wgrad").pass == Pass::backward_weight);
  CHECK(m.at("q_a_proj.dgrad").work.flops.value() == 16384);
  CHECK(m.at("q_a_proj.wgrad").work.flops.value() == 16384);
  // dgrad reads dY 4*32*2 + W 4096, writes dX 4*64*2; wgrad reads X and dY, writes FP32 dW.
  CHECK(m.at("q_a_proj.dgrad").work.bytes_read.value() == 256 + 4096);
  CHECK(m.at("q_a_proj.dgrad").work.bytes_written.value() == 512);
  CHECK(m.at("q_a_proj.wgrad").work.bytes_read.value() == 512 + 256);
  CHECK(m.at("q_a_proj.wgrad").work.bytes_written.value() == 64 * 32 * 4);
  // Grouped GEMMs: W covers every local expert.
  CHECK(m.at("experts_gate_up.wgrad").work.flops.value() == 32768);
  CHECK(m.at("experts_gate_up.wgrad").work.bytes_written.value() == 4 * 64 * 32 * 4);
  // Attention backward: 5 matmuls over the same 10 pairs, 2 * 2 heads * 10 * (3*12 + 2*8) = 2080, no W.
  CHECK(m.at("attention.bwd").work.family == hw::KernelFamily::attention_backward);
  CHECK(m.at("attention.bwd").work.flops.value() == 2080);
  CHECK(m.count("attention.wgrad") == 0);
  CHECK(m.at("input_layernorm.bwd").work.flops.value() == 2048);
  // A residual add's backward is the gradient merge, the same add; RoPE's the inverse rotation.
  CHECK(m.at("attn_residual.bwd").work.flops.value() == 256);
  CHECK(m.at("rope.bwd").work.flops.value() == 144);

  double f = 0, b = 0, w = 0, gemm_f = 0;
  for (const auto& op : ops) {
    (op.pass == Pass::forward ? f : op.pass == Pass::backward_input ? b : w) += op.work.flops.value();
    if (op.pass == Pass::forward && op.work.family != hw::KernelFamily::elementwise &&
        op.work.family != hw::KernelFamily::attention_prefill) {
      gemm_f += op.work.flops.value();
    }
  }
  CHECK(f == 127408);  // same as the prefill layer (the KV write costs bytes, not FLOPs)
  CHECK(w == gemm_f);
  // B = GEMMs + attention backward + 2x the norms, router top-k and SwiGLUs, 1x the adds, RoPE and the
  // unpermute (its backward: the scatter and gate gradients, 2 FLOPs per row element), and the
  // permute's backward sum of the 8 expert rows into 4 tokens (8 * 64).
  const double twice = 1024 + 512 + 256 + 1024 + 64 + 640 + 320;
  const double once = 144 + 256 + 256 + 256 + 1024;
  CHECK(b == gemm_f + 2080 + 2.0 * twice + once + 8 * 64);
  CHECK(f == gemm_f + 800 + twice + once);
}

TEST_CASE("Tiny MTP module: norms, eh_proj, one MoE layer, shared head", "[unit]") {
  const ModelArch a = tiny();
  const auto m = by_name(prefill_layer_ops(a, 2, PrefillShape{1, 4, true}, CostOptions{}));
  CHECK(m.at("enorm").flops.value() == 4 * 4 * 64);
  CHECK(m.at("hnorm").flops.value() == 4 * 4 * 64);
  // concat(2*64) -> 64: 2*4*128*64.
  CHECK(m.at("eh_proj").flops.value() == 65536);
  CHECK(m.count("experts_gate_up") == 1);
  // Shared head on all 4 tokens: 2*4*64*100.
  CHECK(m.at("shared_head.lm_head").flops.value() == 51200);
  CHECK_THROWS(prefill_layer_ops(a, 3, PrefillShape{1, 4}, CostOptions{}));
}

TEST_CASE("Model-level ops: embedding and LM head once per token", "[unit]") {
  const ModelArch a = tiny();
  const auto head = by_name(head_ops(a, 3, CostOptions{}));
  CHECK(head.at("final_lm_head").flops.value() == 2 * 3 * 64 * 100);
  const auto emb = by_name(embedding_ops(a, 3, CostOptions{}));
  CHECK(emb.at("embedding").flops.value() == 0);
  CHECK(emb.at("embedding").bytes_read.value() == 3 * 64 * 2);
  // Prefill logits only for the last token of each sequence by default.
  const auto ops = prefill_model_ops(a, PrefillShape{2, 4}, CostOptions{});
  CHECK(by_name(ops).at("final_lm_head").m == 2);
  CHECK(by_name(prefill_model_ops(a, PrefillShape{2, 4, true}, CostOptions{})).at("final_lm_head").m == 8);
}

TEST_CASE("DeepSeek-V3 spot checks in FP8", "[unit]") {
  const ModelArch a = load_hf_config(kModels + "deepseek-v3.config.json");
  const CostOptions o = default_cost_options(a);
  REQUIRE(o.weight_dtype == hw::DType::fp8);
  const int64_t L = 4096;
  const auto m = by_name(prefill_layer_ops(a, 3, PrefillShape{1, L}, o));
  // q_a_proj for L tokens: 2 * L * 7168 * 1536 FLOPs; reads X in FP8 L*7168 + W 1536*7168
  // + 12*56 FP32 block scales; writes L*1536 BF16.
  CHECK(m.at("q_a_proj").flops.value() == 2.0 * L * 7168 * 1536);
  CHECK(m.at("q_a_proj").dtype == hw::DType::fp8);
  // + one FP32 scale per 128 activations (56 per row).
  CHECK(m.at("q_a_proj").bytes_read.value() == double(L) * (7168 + 56 * 4) + 1536.0 * 7168 + 12 * 56 * 4);
  CHECK(m.at("q_a_proj").bytes_written.value() == double(L) * 1536 * 2);
  // MoE gate+up: L*8 = 32768 rows (128 per expert) x 7168 -> 4096: 2 * 32768 * 7168 * 4096.
  // Weights: all 256 experts are hit (1 - (1 - 8/256)^4096 ~ 1), each 2 * (2048*7168 + 896*4) B.
  const auto& up = m.at("experts_gate_up");
  CHECK(up.m == 128);
  CHECK(up.flops.value() == 2.0 * 32768 * 7168 * 4096);
  CHECK(up.bytes_read.value() == Approx(32768.0 * (7168 + 56 * 4) + 256.0 * 2 * (2048.0 * 7168 + 896 * 4)));
  // Causal MLA attention: 128 heads * 2 * (192 + 128) * 4096*4097/2 pairs.
  CHECK(m.at("attention").flops.value() == 2.0 * 128 * 320 * (4096.0 * 4097 / 2));

  const auto d = by_name(decode_layer_ops(a, 3, DecodeShape{1, 4096}, o));
  // Absorbed decode attention: 128 heads * 4096 keys * 2 * (576 + 512); cache read 4096 * 576 * 2 B.
  CHECK(d.at("attention").flops.value() == 128.0 * 4096 * 2 * (576 + 512));
  CHECK(d.at("attention").bytes_read.value() == 4096.0 * 576 * 2 + 128.0 * 576 * 2);
}

TEST_CASE("Recomputation repeats the RMSNorms and MLA up-projections in B, exactly", "[unit]") {
  const ModelArch a = tiny();
  const CostOptions bf16;
  const auto ops = training_layer_ops(a, 1, PrefillShape{1, 4}, bf16);  // T = 4 tokens
  CHECK(recompute_ops(ops, RecomputeSet{}).empty());
  const auto norms = recompute_ops(ops, RecomputeSet{.rms_norm = true});
  const auto ups = recompute_ops(ops, RecomputeSet{.mla_up_projection = true});
  const auto both = recompute_ops(ops, RecomputeSet{.rms_norm = true, .mla_up_projection = true});
  std::set<std::string> norm_names, up_names;
  for (const Op& op : norms) norm_names.insert(op.name);
  for (const Op& op : ups) up_names.insert(op.name);
  CHECK(norm_names == std::set<std::string>{"input_layernorm.recompute", "q_a_layernorm.recompute",
                                            "kv_a_layernorm.recompute", "post_attention_layernorm.recompute"});
  CHECK(up_names == std::set<std::string>{"q_b_proj.recompute", "kv_b_proj.recompute"});
  CHECK(both.size() == norms.size() + ups.size());
  for (const Op& op : both) CHECK(op.pass == Pass::backward_input);
  // RMSNorm: 4 FLOPs per element: T (64 + 32 + 16 + 64) elements.
  CHECK(total_flops(norms).value() == 4.0 * 4 * (64 + 32 + 16 + 64));
  // q_b_proj 32 -> 2 heads x 12, kv_b_proj 16 -> 2 heads x (8 + 8), over T = 4 tokens.
  CHECK(total_flops(ups).value() == 2.0 * 4 * 32 * 24 + 2.0 * 4 * 16 * 32);
  // The recomputed ops are the forward ops again: same work, same bytes.
  const auto fwd = by_name(ops);
  for (const Op& op : ups) {
    const std::string base = op.name.substr(0, op.name.size() - std::string(".recompute").size());
    CHECK(op.work.flops.value() == fwd.at(base).flops.value());
    CHECK(op.work.bytes_read.value() == fwd.at(base).bytes_read.value());
  }
}
