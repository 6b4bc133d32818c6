// Per-rank memory of a training step (models/training/rank_memory.h): exact parameter, gradient and
// optimizer bytes, DualPipe's 2x parameters, the schedules' live micro-batches (K30-K33), the activation
// items with exact bytes on a small MLA + MoE config, the FP8 weight copies and DeepEP buffers, and the
// DeepSeek-V3 reference scenario. No published memory figure is asserted.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "models/training/rank_memory.h"

namespace tr = fathom::models::training;
namespace sch = fathom::models::schedule;

namespace {

const std::string kScenario = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xh800.json";

struct Run {
  tr::TrainingScenario scenario;
  tr::TrainingPrediction prediction;
  tr::TrainingMemory memory;
};

Run run(const std::vector<std::string>& sets = {}) {
  fathom::ProvenanceLog log;
  std::vector<std::string> all = {"training.batch_ramp.ramp_tokens=0", "training.batch_ramp.segments=1"};
  all.insert(all.end(), sets.begin(), sets.end());
  Run r{tr::read_training_scenario(fathom::load_scenario(kScenario, all), log), {}, {}};
  r.prediction = tr::predict_training(r.scenario);
  r.memory = tr::training_memory(r.scenario, r.prediction);
  return r;
}

tr::Stage stage_with(int64_t dense, int64_t expert) {
  tr::Stage s;
  tr::BlockCost b;
  b.dense_params = dense;
  b.expert_params = expert;
  s.blocks = {b, b};  // two blocks: the stage sums them
  return s;
}

// A small MLA + MoE model: 2 layers (dense, MoE) and one MoE MTP module. hidden 256, 4 heads of
// nope 32 + rope 16, v 32, q_lora 64, kv_lora 32; 8 routed experts of width 64, top-2, one shared expert;
// dense FFN 512; vocabulary 1000.
fathom::models::ModelArch small_arch() {
  fathom::models::ModelArch a;
  a.name = "small";
  a.model_type = "deepseek_v3";
  a.attention = fathom::models::AttentionKind::mla;
  a.hidden = 256, a.layers = 2, a.vocab = 1000, a.heads = 4, a.kv_heads = 4;
  a.q_lora_rank = 64, a.kv_lora_rank = 32, a.qk_nope_head_dim = 32, a.qk_rope_head_dim = 16, a.v_head_dim = 32;
  a.head_dim = 48;
  a.intermediate = 512, a.moe_intermediate = 64, a.routed_experts = 8, a.shared_experts = 1, a.experts_per_token = 2;
  a.moe_layer = {false, true};
  a.mtp_layers = 1, a.mtp_layer_is_moe = true;
  return a;
}

std::map<std::string, double> by_name(const std::vector<tr::ActivationItem>& items) {
  std::map<std::string, double> out;
  for (const auto& i : items) {
    CHECK(out.count(i.name) == 0);  // every tensor once
    CHECK_FALSE(i.basis.empty());
    out[i.name] = i.bytes;
  }
  return out;
}

constexpr double kFp8 = 1.0 + 4.0 / 128;   // FP8 + an FP32 scale per 1x128 tile
constexpr double kE5M6 = 1.5 + 4.0 / 128;  // 12 bits + the tile scale

}  // namespace

TEST_CASE("training memory: exact parameter, gradient and ZeRO-1 optimizer bytes", "[unit]") {
  const std::vector<tr::Stage> stages = {stage_with(500, 100), stage_with(300, 0)};
  tr::TrainingSpec spec;  // BF16 compute copy, FP32 gradients, FP32 master, BF16 moments (T26)
  tr::TrainingLayout layout;
  layout.dp = 4;
  layout.expert_dp = 2;
  // Stage 0: 1000 dense + 200 expert parameters.
  const tr::RankStateBytes one = tr::rank_state_bytes(stages, {0}, spec, layout);
  CHECK(one.parameters == 1200.0 * 2);
  CHECK(one.gradients == 1200.0 * 4);
  CHECK(one.optimizer == (1000.0 / 4 + 200.0 / 2) * (4 + 2 * 2));
  // Both stages (DualPipe's two chunks): 1600 dense + 200 expert.
  const tr::RankStateBytes two = tr::rank_state_bytes(stages, {0, 1}, spec, layout);
  CHECK(two.parameters == 1800.0 * 2);
  CHECK(two.optimizer == (1600.0 / 4 + 200.0 / 2) * 8);
  // The dtypes are the spec's.
  spec.master_weight_dtype = fathom::hw::DType::bf16;
  spec.optimizer_moment_dtype = fathom::hw::DType::fp32;
  CHECK(tr::rank_state_bytes(stages, {0}, spec, layout).optimizer == 350.0 * (2 + 2 * 4));
}

TEST_CASE("training memory: peak live micro-batches are K30-K33's PP, PP, PP+1, PP+1", "[unit]") {
  for (int P : {2, 4, 8, 16}) {
    const int C = 4 * P;
    INFO("P = " << P);
    // One byte per micro-batch and stage, released at B (W keeps nothing): the walk counts micro-batches.
    const std::vector<tr::ActivationBytes> unit(size_t(2 * P), {1.0, 0.0});
    auto peak = [&](const sch::Schedule& s) {
      const std::vector<double> per_rank = tr::peak_activation_bytes(s, unit);
      return *std::max_element(per_rank.begin(), per_rank.end());
    };
    CHECK(peak(sch::make_1f1b({P, C})) == P);
    CHECK(peak(sch::make_zb1p({P, C})) == P);
    CHECK(peak(sch::make_dualpipe({P, C})) == P + 1);
    CHECK(peak(sch::make_dualpipev({P / 2, C})) == P + 1);  // PP = 2 x devices stages
    for (double b : tr::peak_activation_bytes(sch::make_dualpipe({P, C}), unit)) CHECK(b == P + 1);
    // ZB-H1 keeps at most P micro-batches alive until their W (docs/schedules.md §2).
    const std::vector<tr::ActivationBytes> until_w(size_t(P), {1.0, 1.0});
    const auto zb = tr::peak_activation_bytes(sch::make_zb1p({P, C}), until_w);
    CHECK(*std::max_element(zb.begin(), zb.end()) == P);
  }
}

TEST_CASE("training memory: the reference scenario's ranks hold K32's 2x parameters and PP+1 micro-batches",
          "[smoke]") {
  const Run dual = run();
  const Run f1b = run({"training.schedule=1f1b"});
  const int P = 16;
  REQUIRE(dual.memory.per_rank.size() == size_t(P));
  REQUIRE(f1b.memory.per_rank.size() == size_t(P));
  double dual_params = 0, f1b_params = 0;
  for (int r = 0; r < P; ++r) {
    const auto& d = dual.memory.per_rank[size_t(r)];
    const auto& f = f1b.memory.per_rank[size_t(r)];
    CHECK(d.stages.size() == 2);
    CHECK(f.stages == std::vector<int>{r});
    // DualPipe rank r holds stages r and P-1-r; 1F1B (same partition) holds stage r.
    CHECK(d.parameters_bytes == Approx(f.parameters_bytes + f1b.memory.per_rank[size_t(P - 1 - r)].parameters_bytes));
    CHECK(d.activation_micro_batches == P + 1);
    dual_params += d.parameters_bytes;
    f1b_params += f.parameters_bytes;
  }
  CHECK(dual_params == Approx(2.0 * f1b_params));
  CHECK(f1b.memory.per_rank[0].activation_micro_batches == P);
}

TEST_CASE("training memory: the activation items of an MoE layer, exact bytes, DeepSeek-V3's recipe", "[unit]") {
  // T = 128 tokens; this GPU receives 100 routed rows. FP8 recipe (T29), RMSNorm and MLA up-projections
  // recomputed (V3TR §3.2.3), expert outputs not kept (the default).
  const auto a = small_arch();
  const tr::ActivationRules rules{.fp8_recipe = true, .recompute = {.rms_norm = true, .mla_up_projection = true}};
  const auto items = tr::activation_items(a, tr::BlockKind::layer, 1, 128, 100.0, rules);
  const auto m = by_name(items);
  const std::map<std::string, double> expected = {
      {"layer input (residual stream)", 128.0 * 256 * 2},
      {"q_a_proj output (q_a_layernorm input)", 128.0 * 64 * 2},
      {"kv_a_proj output: compressed KV (kv_a_layernorm input)", 128.0 * 32 * 2},
      {"k_rope: one shared RoPE key per token", 128.0 * 16 * 2},                // one 16-wide key, not 4 heads x 16
      {"attention output O (o_proj input, one copy)", 128.0 * 4 * 32 * kE5M6},  // once, E5M6: not BF16 + FP8
      {"attention softmax log-sum-exp", 128.0 * 4 * 4},
      {"attention residual output (post_attention_layernorm input)", 128.0 * 256 * 2},
      {"router: selected experts' ids and weights", 128.0 * 2 * 12},
      {"dispatched tokens on this GPU (its experts' gate/up input)", 100.0 * 256 * kFp8},
      {"routed-expert SwiGLU input (gate and up)", 100.0 * 128 * kFp8},
      {"shared-expert SwiGLU input (gate and up)", 128.0 * 128 * kFp8},
  };
  CHECK(m == expected);  // no norm output, no Q/K/V, no SwiGLU output, no expert output
  const tr::ActivationBytes b = tr::activation_bytes(items);
  CHECK(b.stored == 246448.0);
  CHECK(b.weight_inputs == 128.0 * 4 * 32 * kE5M6 + 100.0 * 256 * kFp8 + 100.0 * 128 * kFp8 + 128.0 * 128 * kFp8);
}

TEST_CASE("training memory: what each switch adds to an MoE layer, exact bytes", "[unit]") {
  const auto a = small_arch();
  const tr::ActivationRules recipe{.fp8_recipe = true, .recompute = {.rms_norm = true, .mla_up_projection = true}};
  const auto base = by_name(tr::activation_items(a, tr::BlockKind::layer, 1, 128, 100.0, recipe));
  auto added = [&](const tr::ActivationRules& r) {
    std::map<std::string, double> out;
    for (const auto& [name, bytes] : by_name(tr::activation_items(a, tr::BlockKind::layer, 1, 128, 100.0, r))) {
      const double before = base.count(name) ? base.at(name) : 0.0;
      if (bytes != before) out[name] = bytes - before;
    }
    return out;
  };
  // RMSNorm kept: its outputs, the GEMM inputs (FP8; the router's BF16).
  auto r = recipe;
  r.recompute.rms_norm = false;
  CHECK(added(r) == std::map<std::string, double>{
                        {"input_layernorm output (q_a_proj and kv_a_proj input, one copy)", 128.0 * 256 * kFp8},
                        {"q_a_layernorm output (q_b_proj input)", 128.0 * 64 * kFp8},
                        {"kv_a_layernorm output (kv_b_proj input)", 128.0 * 32 * kFp8},
                        {"post_attention_layernorm output (router and shared-expert input)", 128.0 * 256 * 2},
                    });
  // Up-projections kept: the per-head Q (nope + rope) and K_nope, V (BF16).
  r = recipe;
  r.recompute.mla_up_projection = false;
  CHECK(added(r) == std::map<std::string, double>{
                        {"queries Q (after RoPE)", 128.0 * 4 * 48 * 2},
                        {"per-head keys K_nope and values V (kv_b_proj output)", 128.0 * 4 * 64 * 2},
                    });
  // Expert outputs kept for the gate gradient.
  r = recipe;
  r.keep_expert_outputs = true;
  CHECK(added(r) == std::map<std::string, double>{{"expert outputs (gate-weight gradient)", 100.0 * 256 * 2}});
  // Without the FP8 recipe: BF16 caches, O in BF16, SwiGLU outputs kept.
  r = recipe;
  r.fp8_recipe = false;
  const auto bf16 = by_name(tr::activation_items(a, tr::BlockKind::layer, 1, 128, 100.0, r));
  CHECK(bf16.at("attention output O (o_proj input, one copy)") == 128.0 * 4 * 32 * 2);
  CHECK(bf16.at("dispatched tokens on this GPU (its experts' gate/up input)") == 100.0 * 256 * 2);
  CHECK(bf16.at("routed-expert SwiGLU input (gate and up)") == 100.0 * 128 * 2);
  CHECK(bf16.at("routed-expert SwiGLU output (down projection input)") == 100.0 * 64 * 2);
  CHECK(bf16.at("shared-expert SwiGLU output (down projection input)") == 128.0 * 64 * 2);
}

TEST_CASE("training memory: dense layer, MTP module, embedding and head items, exact bytes", "[unit]") {
  const auto a = small_arch();
  const tr::ActivationRules rules{.fp8_recipe = true, .recompute = {.rms_norm = true, .mla_up_projection = true}};
  const auto dense = by_name(tr::activation_items(a, tr::BlockKind::layer, 0, 128, 0.0, rules));
  CHECK(dense.at("dense SwiGLU input (gate and up)") == 128.0 * 2 * 512 * 2);  // BF16: T29 names the MoE SwiGLU
  CHECK(dense.at("dense SwiGLU output (down projection input)") == 128.0 * 512 * kFp8);
  CHECK(dense.count("dispatched tokens on this GPU (its experts' gate/up input)") == 0);
  const auto mtp = by_name(tr::activation_items(a, tr::BlockKind::mtp, 2, 128, 100.0, rules));
  CHECK(mtp.at("MTP embedding output (enorm input)") == 128.0 * 256 * 2);
  CHECK(mtp.at("MTP head norm input") == 128.0 * 256 * 2);
  CHECK(mtp.at("MTP head logits (cross-entropy backward)") == 128.0 * 1000 * 2);
  CHECK(mtp.at("dispatched tokens on this GPU (its experts' gate/up input)") == 100.0 * 256 * kFp8);
  CHECK(mtp.count("MTP enorm and hnorm outputs (eh_proj input)") == 0);  // recomputed norms
  const auto head = by_name(tr::activation_items(a, tr::BlockKind::head, -1, 128, 0.0, rules));
  CHECK(head == std::map<std::string, double>{{"final norm input", 128.0 * 256 * 2},
                                              {"final logits (cross-entropy backward)", 128.0 * 1000 * 2}});
  const auto emb = by_name(tr::activation_items(a, tr::BlockKind::embedding, -1, 128, 0.0, rules));
  CHECK(emb == std::map<std::string, double>{{"token ids (embedding gradient)", 128.0 * 4}});
}

TEST_CASE("training memory: FP8 weight copies and DeepEP buffers, exact bytes", "[unit]") {
  const auto a = small_arch();
  tr::TrainingLayout layout;
  layout.ep = 16, layout.ep_nodes = 2, layout.ep_domains = 2, layout.experts_per_gpu = 2;
  tr::Stage st;
  tr::BlockCost dense, moe;
  dense.layer = 0;
  moe.layer = 1;
  moe.moe = true;
  tr::BlockCost emb;
  emb.kind = tr::BlockKind::embedding;
  st.blocks = {emb, dense, moe};
  // FP8-GEMM weights of the MoE layer: q_a 64x256, q_b 192x64, kv_a 48x256, kv_b 256x32, o 256x128 (81,920),
  // 2 local experts x (64x256 + 64x256 + 256x64) (98,304), one shared expert (49,152); an FP32 scale per
  // 128x128 block: 2 per attention GEMM, 2 per expert or shared matrix (28 blocks).
  const double moe_layer = 81920 + 98304 + 49152 + 28 * 4;
  // The dense layer: the same attention, gate/up 512x256, down 256x512 (393,216), 8 + 8 + 8 blocks.
  const double dense_layer = 81920 + 10 * 4 + 393216 + 24 * 4;
  CHECK(tr::fp8_weight_bytes(a, {st}, {0}, layout, fathom::hw::DType::fp8, 1) == moe_layer + dense_layer);
  CHECK(tr::fp8_weight_bytes(a, {st}, {0}, layout, fathom::hw::DType::fp8, 2) == 2 * (moe_layer + dense_layer));
  CHECK(tr::fp8_weight_bytes(a, {st}, {0}, layout, fathom::hw::DType::bf16, 2) == 0);  // BF16 GEMMs: no copy
  // TP2 halves the heads and the dense intermediate: q_b 96x64, kv_b 128x32, o 256x64 (q_a and kv_a whole):
  // 55,296 B in 8 blocks; gate/up 256x256 and down 256x256 (196,608 B, 12 blocks); the shared expert halved
  // like a dense FFN (32x256 x 2 + 256x32: 24,576 B, still 6 blocks); routed experts unchanged.
  tr::TrainingLayout tp2 = layout;
  tp2.tp = 2;
  const double moe_tp2 = 55296 + 98304 + 24576 + 26 * 4;
  const double dense_tp2 = 55296 + 8 * 4 + 196608 + 12 * 4;
  CHECK(tr::fp8_weight_bytes(a, {st}, {0}, tp2, fathom::hw::DType::fp8, 1) == moe_tp2 + dense_tp2);
  // DeepEP: 20 communication SMs = 10 channels; slot = 256 x 2 + 256 / 128 x 4 + 2 x (8 + 4) = 544 B;
  // 8 NVLink peers x 288 slots + 2 x 2 remote nodes x 128 slots.
  tr::TrainingSpec spec;
  spec.communication_sms = 20;
  CHECK(tr::deepep_buffer_bytes(a, layout, spec, 8) == 10.0 * 544 * (8 * 288 + 2 * 2 * 128));
  layout.ep = 1;
  CHECK(tr::deepep_buffer_bytes(a, layout, spec, 8) == 0);
}

TEST_CASE("training memory: the DeepSeek-V3 reference scenario", "[smoke]") {
  const Run r = run();
  const auto& m = r.memory;
  CHECK(m.hbm_bytes == r.scenario.cluster.node.gpu.hbm_capacity.value());
  double worst = 0;
  for (const auto& rank : m.per_rank) {
    CHECK(rank.parameters_bytes > 0);
    CHECK(rank.gradients_bytes == Approx(2.0 * rank.parameters_bytes));  // FP32 gradients of BF16 weights
    CHECK(rank.optimizer_bytes > 0);
    CHECK(rank.optimizer_bytes < rank.parameters_bytes);  // ZeRO-1: a shard over dp and expert_dp
    CHECK(rank.activations_bytes > 0);
    CHECK(rank.workspace_bytes == 2.0 * 1024 * 1024 * 1024);  // training.workspace default
    CHECK(rank.fp8_weights_bytes > 0);
    CHECK(rank.fp8_weights_bytes < 2.0 * rank.parameters_bytes);  // two copies of a part, at 1 B
    // DeepEP: 10 channels x 14,656 B slots x (8 x 288 + 2 x 8 x 128).
    CHECK(rank.deepep_buffers_bytes == 10.0 * (7168 * 2 + 56 * 4 + 8 * 12) * (8 * 288 + 2 * 8 * 128));
    CHECK(rank.total_bytes ==
          Approx(rank.parameters_bytes + rank.fp8_weights_bytes + rank.gradients_bytes + rank.optimizer_bytes +
                 rank.activations_bytes + rank.deepep_buffers_bytes + rank.workspace_bytes));
    worst = std::max(worst, rank.total_bytes);
  }
  CHECK(m.per_rank[size_t(m.worst_rank)].total_bytes == worst);
  CHECK(m.headroom_bytes == Approx(m.hbm_bytes - worst));
  CHECK(m.fits == (m.headroom_bytes >= 0));
  CHECK(m.assumptions.size() >= 3);  // activations, parameter dtype, DeepEP formula (the rest are scenario keys)
  // The worst rank's items add up to its activations.
  double items = 0;
  for (const auto& i : m.worst_rank_activations) items += i.bytes;
  CHECK(items == Approx(m.per_rank[size_t(m.worst_rank)].activations_bytes));
  // The recomputation switches lower every rank's activations; keeping the expert outputs raises them.
  const Run off = run({"training.recompute.rms_norm=false", "training.recompute.mla_up_projection=false"});
  const Run kept = run({"training.keep_expert_outputs=true"});
  for (size_t i = 0; i < m.per_rank.size(); ++i) {
    CHECK(m.per_rank[i].activations_bytes < off.memory.per_rank[i].activations_bytes);
    CHECK(m.per_rank[i].activations_bytes < kept.memory.per_rank[i].activations_bytes);
  }
}
