// A check, not a fit: FlashMLA's sparse prefill kernel at the shape it is published for (K05: 640 TFLOPS
// on H800; FlashMLA's sparse prefill benchmark, 128 heads, d_qk 576, d_v 512, top-2048 keys per query)
// against what fathom prices for DeepSeek-V3.2's sparse prefill attention with the shipped H800
// calibration's attention_prefill curve (fitted to the dense FlashAttention-style prefill, not to K05).
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "models/hf_config.h"
#include "models/ops.h"
#include "support/shipped_hardware.h"

using namespace fathom;
using namespace fathom::models;

namespace {

// The attention op of one V3.2 layer for 4,096 new tokens after 28,672 cached ones (32K keys): every
// query attends its full top-2048 (the compute-bound configuration), and the absorbed sparse form is the
// cheaper one (after only 4,096 cached tokens the naive form over every causal pair still takes fewer FLOPs).
hw::KernelWork sparse_prefill_attention(const CostOptions& options) {
  const ModelArch a = load_hf_config(std::string(FATHOM_SOURCE_DIR) + "/scenarios/models/deepseek-v3.2.config.json");
  const PrefillShape shape{.sequences = 1, .seq_len = 4096, .prefix_len = 28672};
  for (const Op& op : prefill_layer_ops(a, 0, shape, options)) {
    if (op.name == "attention") return op.work;
  }
  FAIL("no attention op");
  return {};
}

double priced_tflops(const hw::KernelWork& w) {
  return w.flops.value() / test::h800_cost_model().time(w).value() / 1e12;
}

}  // namespace

TEST_CASE("Sparse prefill on H800 (K05 check): BF16 priced 25% under the published 640 TFLOPS (tolerance 30%)",
          "[unit]") {
  const hw::KernelWork bf16 = sparse_prefill_attention(CostOptions{.weight_dtype = hw::DType::fp8});
  REQUIRE(bf16.family == hw::KernelFamily::attention_prefill);
  REQUIRE(bf16.head_dim_qk == 576);
  // 2 x 128 heads x 4,096 queries x 2,048 keys x (576 + 512).
  CHECK(bf16.flops.value() == 2.0 * 128 * 4096 * 2048 * (576 + 512));
  const double t_bf16 = priced_tflops(bf16);
  const hw::KernelWork fp8 = sparse_prefill_attention(
      CostOptions{.weight_dtype = hw::DType::fp8, .kv_dtype = hw::DType::fp8, .attention_dtype = hw::DType::fp8});
  const double t_fp8 = priced_tflops(fp8);
  std::printf("sparse prefill, H800, priced: BF16 %.0f TFLOPS, FP8 %.0f TFLOPS (K05: 640)\n", t_bf16, t_fp8);
  // The gap (478 priced at this commit, docs/hardware.md): the dense prefill curve gives 0.57 of the BF16
  // peak at 4,096 queries (562 TFLOPS from compute alone), and the 2,048 gathered 1,156-B rows per query
  // (9.7 GB, no L2 reuse between neighbouring queries modelled) add memory time to the soft roofline.
  CHECK(t_bf16 == Approx(640.0).epsilon(0.30));
  CHECK(t_bf16 < 640.0);
  // FP8 math: the same curve on twice the peak (H800: 1,979 against 989 TFLOPS dense), the rows at 656 + 4 B;
  // less than 2x because the gathered rows' bytes do not halve.
  CHECK(t_fp8 > 1.5 * t_bf16);
  CHECK(t_fp8 < 2.0 * t_bf16);
}
