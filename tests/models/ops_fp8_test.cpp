// FP8 quantisation passes (T26: 1x128 activation tiles before each FP8 GEMM) and the MoE permute /
// unpermute, by hand on a tiny model and on DeepSeek-V3.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "models/hf_config.h"
#include "models/ops.h"
#include "support/tiny_model.h"

using namespace fathom;
using namespace fathom::models;

namespace {

// The tiny model (tests/support/tiny_model.h).
ModelArch tiny() { return test::tiny_deepseek(); }

ModelArch v3() { return load_hf_config(std::string(FATHOM_SOURCE_DIR) + "/scenarios/models/deepseek-v3.config.json"); }

CostOptions fp8() { return CostOptions{.weight_dtype = hw::DType::fp8}; }

std::map<std::string, hw::KernelWork> by_name(const std::vector<Op>& ops) {
  std::map<std::string, hw::KernelWork> m;
  for (const auto& op : ops) m[op.name] = op.work;
  return m;
}

std::vector<std::string> casts(const std::vector<Op>& ops) {
  std::vector<std::string> names;
  for (const Op& op : ops) {
    if (op.role == OpRole::fp8_quantize) names.push_back(op.name);
  }
  return names;
}

}  // namespace

TEST_CASE("FP8: one quantisation pass per GEMM input, exact bytes, on a tiny model", "[unit]") {
  const ModelArch a = tiny();
  const auto ops = prefill_layer_ops(a, 1, PrefillShape{1, 4}, fp8());  // T = 4
  // Every FP8 GEMM input except kv_a_proj_with_mqa's (q_a_proj's, quantised once); none for the BF16
  // router; the routed experts' input quantised before the dispatch, shared with the shared expert.
  CHECK(casts(ops) == std::vector<std::string>{"q_a_proj_quant", "q_b_proj_quant", "kv_b_proj_quant", "o_proj_quant",
                                               "moe_input_quant", "experts_down_quant", "shared_down_quant"});
  const auto m = by_name(ops);
  // 4 x 64 BF16 in (512 B); 4 x 64 FP8 + one FP32 scale per row (ceil(64/128) = 1) out.
  CHECK(m.at("q_a_proj_quant").flops.value() == 0);
  CHECK(m.at("q_a_proj_quant").bytes_read.value() == 512);
  CHECK(m.at("q_a_proj_quant").bytes_written.value() == 4 * (64 + 4));
  CHECK(m.at("q_b_proj_quant").bytes_written.value() == 4 * (32 + 4));
  CHECK(m.at("o_proj_quant").bytes_read.value() == 4 * 16 * 2);
  // The SwiGLU output of the 8 expert rows, 16 wide.
  CHECK(m.at("experts_down_quant").bytes_read.value() == 8 * 16 * 2);
  CHECK(m.at("experts_down_quant").bytes_written.value() == 8 * (16 + 4));
  // The GEMM reads what the pass wrote: FP8 rows with their scales, plus W (32 x 64 + one block scale).
  CHECK(m.at("q_a_proj").bytes_read.value() == 4 * (64 + 4) + 32 * 64 + 4);
  // The permute moves FP8 rows with their scales: reads 4 received rows + an int32 index per expert
  // row, writes 8 expert rows.
  CHECK(m.at("moe_permute").dtype == hw::DType::fp8);
  CHECK(m.at("moe_permute").bytes_read.value() == 4 * 68 + 8 * 4);
  CHECK(m.at("moe_permute").bytes_written.value() == 8 * 68);

  // Decode: the absorbed GEMMs' inputs are quantised too (T x heads rows); the low-latency dispatch
  // casts the routed input itself, so moe_input_quant serves the shared expert; no permutation ops.
  const auto d = decode_layer_ops(a, 1, DecodeShape{1, 8}, fp8());
  CHECK(casts(d) == std::vector<std::string>{"q_a_proj_quant", "q_b_proj_quant", "q_absorb_w_uk_quant",
                                             "o_absorb_w_uv_quant", "o_proj_quant", "moe_input_quant",
                                             "experts_down_quant", "shared_down_quant"});
  const auto dm = by_name(d);
  CHECK(dm.at("q_absorb_w_uk_quant").bytes_read.value() == 2 * 8 * 2);
  CHECK(dm.at("o_absorb_w_uv_quant").bytes_written.value() == 2 * (16 + 4));
  CHECK(dm.count("moe_permute") == 0);
  CHECK(dm.count("moe_unpermute") == 0);

  // The dense layer and the MTP module's concat(2h) projection.
  CHECK(casts(prefill_layer_ops(a, 0, PrefillShape{1, 4}, fp8())) ==
        std::vector<std::string>{"q_a_proj_quant", "q_b_proj_quant", "kv_b_proj_quant", "o_proj_quant",
                                 "mlp_gate_up_quant", "mlp_down_quant"});
  const auto mtp = by_name(prefill_layer_ops(a, 2, PrefillShape{1, 4}, fp8()));
  CHECK(mtp.at("eh_proj_quant").bytes_read.value() == 4 * 128 * 2);
  CHECK(mtp.at("eh_proj_quant").bytes_written.value() == 4 * (128 + 4));

  // BF16 GEMMs need no casts.
  CHECK(casts(prefill_layer_ops(a, 1, PrefillShape{1, 4}, CostOptions{})).empty());
}

TEST_CASE("FP8 on DeepSeek-V3: quantise bytes = T h (2 + 1) + T h / 128 x 4", "[unit]") {
  const ModelArch a = v3();
  const CostOptions o = default_cost_options(a);
  const double T = 16384;  // 4 sequences of 4096
  const auto m = by_name(prefill_layer_ops(a, 3, PrefillShape{4, 4096}, o));
  CHECK(m.at("q_a_proj_quant").bytes().value() == T * 7168 * 3 + T * 7168 / 128 * 4);
  CHECK(m.at("moe_input_quant").bytes().value() == T * 7168 * 3 + T * 7168 / 128 * 4);
  CHECK(m.at("o_proj_quant").bytes().value() == T * 16384 * 3 + T * 16384 / 128 * 4);
  // Routed SwiGLU output: 8 rows per token, 2048 wide.
  CHECK(m.at("experts_down_quant").bytes().value() == 8 * T * 2048 * 3 + 8 * T * 2048 / 128 * 4);
  CHECK(m.at("experts_down_quant").m == 8 * 16384);
}

TEST_CASE("MoE permute and unpermute on DeepSeek-V3 under an EP32 load", "[unit]") {
  const ModelArch a = v3();
  const CostOptions o = default_cost_options(a);
  // EP32 with 288 physical experts: 9 local experts, each receiving 16384 x 8 x 32 / 288 rows.
  const double per_expert = 16384.0 * 8 * 32 / 288;
  const double rows = 9 * per_expert;  // 131072
  const auto m = by_name(prefill_layer_ops(a, 3, PrefillShape{4, 4096}, o, MoeLoad{9, per_expert}));
  // Distinct received tokens: rows / (k p / (1 - (1 - p)^k)), p = 9/256 (uniform routing).
  const double p = 9.0 / 256;
  const double received = rows * (1 - std::pow(1 - p, 8)) / (8 * p);
  const double fp8_row = 7168 + 56 * 4;
  CHECK(m.at("moe_permute").bytes_read.value() == Approx(received * fp8_row + rows * 4).epsilon(1e-12));
  CHECK(m.at("moe_permute").bytes_written.value() == Approx(rows * fp8_row).epsilon(1e-12));
  CHECK(m.at("moe_unpermute").flops.value() == Approx(2 * rows * 7168).epsilon(1e-12));
  CHECK(m.at("moe_unpermute").bytes_read.value() == Approx(rows * (7168 * 2 + 8)).epsilon(1e-12));
  CHECK(m.at("moe_unpermute").bytes_written.value() == Approx(received * 7168 * 2).epsilon(1e-12));
  CHECK(received < rows);
  CHECK(received > rows / 1.2);  // a received token hits ~1.13 of the 9 local experts
  // The routed sum plus the shared expert output: an add over the 16384 local tokens.
  CHECK(m.at("moe_combine").bytes_read.value() == 2 * 16384.0 * 7168 * 2);
}

TEST_CASE("a MoE without shared experts has no combine add and, in decode, no input cast", "[unit]") {
  const ModelArch q = load_hf_config(std::string(FATHOM_SOURCE_DIR) + "/scenarios/models/qwen3-235b-a22b.config.json");
  REQUIRE(q.shared_experts == 0);
  const auto d = by_name(decode_layer_ops(q, 0, DecodeShape{4, 100}, fp8()));
  CHECK(d.count("moe_input_quant") == 0);
  CHECK(d.count("moe_combine") == 0);
  CHECK(d.count("qkv_proj_quant") == 1);
  const auto p = by_name(prefill_layer_ops(q, 0, PrefillShape{1, 64}, fp8()));
  CHECK(p.count("moe_input_quant") == 1);  // before the dispatch
  CHECK(p.count("moe_unpermute") == 1);
  CHECK(p.count("moe_combine") == 0);
}
