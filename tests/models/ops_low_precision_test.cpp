// FP4 (NVFP4) routed experts and FP8 MLA decode attention as CostOptions choices: the kernels' dtype
// (so the cost model takes the GPU's FP4 / FP8 peak) and their bytes, by hand on the tiny model.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

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
