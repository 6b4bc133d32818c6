// FP4 (NVFP4) routed experts and FP8 MLA attention (decode and prefill) as CostOptions choices: the
// kernels' dtype (so the cost model takes the GPU's FP4 / FP8 peak) and their bytes, by hand on the tiny
// model; NVFP4's quantisation passes and the V3.2 FP8 cache layout (K06) by hand too.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "models/hf_config.h"
#include "models/ops.h"
#include "support/tiny_model.h"

using namespace fathom;
using namespace fathom::models;

namespace {

std::map<std::string, hw::KernelWork> by_name(const std::vector<Op>& ops) {
  std::map<std::string, hw::KernelWork> m;
  for (const auto& op : ops) m[op.name] = op.work;
  return m;
}

// The tiny model with V3.2's sparse attention: 2 index heads of 8, top-3 keys.
ModelArch tiny_v32() {
  nlohmann::json cfg = test::tiny_deepseek_config();
  cfg["model_type"] = "deepseek_v32";
  cfg["index_n_heads"] = 2;
  cfg["index_head_dim"] = 8;
  cfg["index_topk"] = 3;
  return parse_hf_config(cfg, "tiny-v32.json");
}

const CostOptions kFp8Weights{.weight_dtype = hw::DType::fp8};
const CostOptions kFp4Experts{.weight_dtype = hw::DType::fp8, .expert_dtype = hw::DType::fp4};
const CostOptions kFp8Attention{
    .weight_dtype = hw::DType::fp8, .kv_dtype = hw::DType::fp8, .attention_dtype = hw::DType::fp8};

}  // namespace

TEST_CASE("FP4 experts: NVFP4 operands with one FP8 scale per 16 values, other GEMMs keep FP8", "[unit]") {
  const ModelArch a = test::tiny_deepseek();  // hidden 64, expert width 16
  const DecodeShape shape{.sequences = 4, .context = 32};
  const auto fp8 = by_name(decode_layer_ops(a, 1, shape, CostOptions{.weight_dtype = hw::DType::fp8}));
  const auto fp4 = by_name(
      decode_layer_ops(a, 1, shape, CostOptions{.weight_dtype = hw::DType::fp8, .expert_dtype = hw::DType::fp4}));
  CHECK(fp4.at("experts_gate_up").dtype == hw::DType::fp4);
  CHECK(fp4.at("experts_down").dtype == hw::DType::fp4);
  CHECK(fp4.at("shared_gate_up").dtype == hw::DType::fp8);
  CHECK(fp4.at("q_a_proj").dtype == hw::DType::fp8);
  // Same rows and FLOPs; bytes: rows x (64 values / 2 + 4 scales) and per expert read 2 x (16 x 64 / 2 +
  // 16 x 64 / 16) = 1,152 B against FP8's rows x (64 + 4) and 2 x (1,024 + one 128x128 block scale of 4 B).
  const auto& g8 = fp8.at("experts_gate_up");
  const auto& g4 = fp4.at("experts_gate_up");
  CHECK(g4.flops.value() == g8.flops.value());
  const double rows = g8.flops.value() / (2.0 * 64 * 32);
  const double experts_fp8 = (g8.bytes_read.value() - rows * 68.0) / 2056.0;
  const double experts_fp4 = (g4.bytes_read.value() - rows * 36.0) / 1152.0;
  CHECK(experts_fp8 > 0);
  CHECK(experts_fp4 == Approx(experts_fp8));
}

TEST_CASE("FP8 MLA decode: the attention kernel's math in FP8 over an FP8 latent cache", "[unit]") {
  const ModelArch a = test::tiny_deepseek();  // latent 16 + 4 rope = 20 values per token
  const DecodeShape shape{.sequences = 4, .context = 32};
  const auto bf16 = by_name(decode_layer_ops(a, 1, shape, CostOptions{.weight_dtype = hw::DType::fp8}));
  const auto fp8 = by_name(decode_layer_ops(
      a, 1, shape,
      CostOptions{.weight_dtype = hw::DType::fp8, .kv_dtype = hw::DType::fp8, .attention_dtype = hw::DType::fp8}));
  CHECK(bf16.at("attention").dtype == hw::DType::bf16);
  CHECK(fp8.at("attention").dtype == hw::DType::fp8);
  CHECK(fp8.at("attention").flops.value() == bf16.at("attention").flops.value());
  // The cache read halves: 4 x 32 keys x 20 values, 2 B -> 1 B.
  CHECK(bf16.at("attention").bytes_read.value() - fp8.at("attention").bytes_read.value() == 4 * 32 * 20);
}

TEST_CASE("NVFP4 experts: the quantisation passes write 0.5 B a value + one FP8 scale per 16, read the global scale",
          "[unit]") {
  const ModelArch a = test::tiny_deepseek();  // hidden 64, expert width 16, top-2 of 4, one shared expert
  // Decode, 4 tokens: 8 routed rows. The SwiGLU output (8 x 16 BF16 = 256 B) and the FP32 global scale (4 B)
  // in; 8 x (16 / 2 + 16 / 16) = 72 B out. FP8 writes 8 x (16 + one 4 B scale) = 160 B.
  const DecodeShape shape{.sequences = 4, .context = 32};
  const auto dec8 = by_name(decode_layer_ops(a, 1, shape, kFp8Weights));
  const auto dec4 = by_name(decode_layer_ops(a, 1, shape, kFp4Experts));
  CHECK(dec4.at("experts_down_quant").dtype == hw::DType::fp4);
  CHECK(dec4.at("experts_down_quant").bytes_read.value() == 256.0 + 4.0);
  CHECK(dec4.at("experts_down_quant").bytes_written.value() == 72.0);
  CHECK(dec4.at("experts_down_quant").flops.value() == 0.0);
  CHECK(dec8.at("experts_down_quant").bytes_read.value() == 256.0);
  CHECK(dec8.at("experts_down_quant").bytes_written.value() == 160.0);
  CHECK(dec4.count("experts_input_quant") == 0);              // decode: the dispatch casts the routed copy itself
  CHECK(dec4.at("moe_input_quant").dtype == hw::DType::fp8);  // the shared expert's copy, as with FP8
  // Prefill, 8 tokens: the routed copy is its own NVFP4 pass, 8 x 64 BF16 = 1,024 B + 4 B in,
  // 8 x (32 + 4) = 288 B out; the shared expert keeps its FP8 pass (8 x (64 + 4) = 544 B out); the 16 routed
  // rows' SwiGLU output: 16 x 16 x 2 + 4 = 516 B in, 16 x 9 = 144 B out.
  const auto pre4 = by_name(prefill_layer_ops(a, 1, PrefillShape{1, 8}, kFp4Experts));
  CHECK(pre4.at("experts_input_quant").dtype == hw::DType::fp4);
  CHECK(pre4.at("experts_input_quant").bytes_read.value() == 1028.0);
  CHECK(pre4.at("experts_input_quant").bytes_written.value() == 288.0);
  CHECK(pre4.at("moe_input_quant").bytes_written.value() == 544.0);
  CHECK(pre4.at("experts_down_quant").bytes_read.value() == 516.0);
  CHECK(pre4.at("experts_down_quant").bytes_written.value() == 144.0);
  // Without shared experts the FP8 input pass goes: only the NVFP4 one is left.
  nlohmann::json cfg = test::tiny_deepseek_config();
  cfg["n_shared_experts"] = 0;
  const auto no_shared =
      by_name(prefill_layer_ops(parse_hf_config(cfg, "tiny.json"), 1, PrefillShape{1, 8}, kFp4Experts));
  CHECK(no_shared.count("moe_input_quant") == 0);
  CHECK(no_shared.count("experts_input_quant") == 1);
}

TEST_CASE("FP8 MLA prefill: the attention kernel's math in FP8, the same FLOPs and operand bytes", "[unit]") {
  const ModelArch a = test::tiny_deepseek();
  const auto bf16 = by_name(prefill_layer_ops(a, 1, PrefillShape{2, 8}, kFp8Weights));
  const auto fp8 = by_name(prefill_layer_ops(a, 1, PrefillShape{2, 8}, kFp8Attention));
  CHECK(bf16.at("attention").dtype == hw::DType::bf16);
  CHECK(fp8.at("attention").dtype == hw::DType::fp8);
  CHECK(fp8.at("attention").family == hw::KernelFamily::attention_prefill);
  CHECK(fp8.at("attention").flops.value() == bf16.at("attention").flops.value());
  CHECK(fp8.at("attention").bytes_read.value() == bf16.at("attention").bytes_read.value());
  // The cache write halves: 16 tokens x 20 latent values, 2 B -> 1 B (V3 has no K06 layout).
  CHECK(bf16.at("attention").bytes_written.value() - fp8.at("attention").bytes_written.value() == 16 * 20);
}

TEST_CASE("V3.2 FP8 cache (K06): the sparse kernels read and write the 656-B-style layout, in FP8 math", "[unit]") {
  const ModelArch a = tiny_v32();  // latent 16 NoPE + 4 RoPE
  // K06 layout of the tiny latent: 16 FP8 + one FP32 scale (ceil(16 / 128)) + 4 BF16 RoPE = 28 B (BF16: 40 B).
  // Decode at context 10: 3 selected keys, each its cached row + a 4 B index; the query 2 heads x 20 BF16.
  const CostOptions bf16_cache = kFp8Weights;
  const auto b = by_name(decode_layer_ops(a, 0, DecodeShape{1, 10}, bf16_cache));
  const auto f = by_name(decode_layer_ops(a, 0, DecodeShape{1, 10}, kFp8Attention));
  CHECK(b.at("attention").bytes_read.value() == 3.0 * (40 + 4) + 2 * 20 * 2);
  CHECK(f.at("attention").bytes_read.value() == 3.0 * (28 + 4) + 2 * 20 * 2);
  // Written: the 2 x 16 BF16 latent outputs and the new token's cached row.
  CHECK(b.at("attention").bytes_written.value() == 2 * 16 * 2 + 40.0);
  CHECK(f.at("attention").bytes_written.value() == 2 * 16 * 2 + 28.0);
  CHECK(f.at("attention").dtype == hw::DType::fp8);
  CHECK(f.at("attention").family == hw::KernelFamily::mla_decode);
  // Sparse prefill of 64 tokens (the absorbed form): 189 selected pairs read 28 + 4 B each; FP8 math.
  const auto p = by_name(prefill_layer_ops(a, 0, PrefillShape{1, 64}, kFp8Attention));
  CHECK(p.count("kv_b_proj") == 0);
  CHECK(p.at("attention").dtype == hw::DType::fp8);
  CHECK(p.at("attention").family == hw::KernelFamily::attention_prefill);
  CHECK(p.at("attention").bytes_read.value() == 189.0 * (28 + 4) + 64.0 * 2 * 20 * 2);
  CHECK(p.at("attention").bytes_written.value() == 64.0 * 2 * 16 * 2 + 64.0 * 28);
}
