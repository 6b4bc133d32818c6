// Per-token cost summary: sums over layer kinds, and ~2 FLOPs per activated parameter.
#include <catch2/catch.hpp>

#include <string>

#include "models/cost_summary.h"
#include "models/hf_config.h"
#include "models/param_counts.h"

using namespace fathom;
using namespace fathom::models;

TEST_CASE("DeepSeek-V3 per-token FLOPs are ~2x activated params plus attention", "[unit]") {
  const ModelArch a = load_hf_config(std::string(FATHOM_SOURCE_DIR) + "/scenarios/models/deepseek-v3.config.json");
  const CostSummary s = summarize_costs(a, 4096, 4096, default_cost_options(a));
  REQUIRE(s.layers.size() == 3);
  CHECK(s.layers[0].kind == LayerKind::dense);
  CHECK(s.layers[0].count == 3);
  CHECK(s.layers[1].count == 58);
  CHECK(s.layers[2].kind == LayerKind::mtp);
  CHECK(s.layers[0].kv_cache_bytes_per_token.value() == 1152.0);
  // Decode GEMM FLOPs are 2 per activated parameter touched (embedding lookup excluded: 2*(37.55B
  // - 0.93B) ~ 73.3 GFLOP) plus absorbed attention 61 * 128 * 4096 * 2 * 1088 = 69.7 GFLOP; the
  // absorption adds 61 * 2*128*(128*512*2) = 2.05 GFLOP of W_UK/W_UV products. So 140-150 GFLOP.
  CHECK(s.decode_flops_per_token.value() > 140e9);
  CHECK(s.decode_flops_per_token.value() < 150e9);
  // Training is ~3x the forward (F + B + W), attention backward 2.5x.
  CHECK(s.training_flops_per_token.value() > 2.9 * s.prefill_flops_per_token.value());
  CHECK(s.training_flops_per_token.value() < 3.5 * s.prefill_flops_per_token.value());
  CHECK(s.training_flops_per_token_with_mtp.value() > s.training_flops_per_token.value());
  // Totals are the sums over kinds (MTP excluded) plus embedding/head.
  double prefill = s.embedding_head_prefill_flops_per_token.value();
  for (const auto& c : s.layers) {
    if (c.kind != LayerKind::mtp) prefill += double(c.count) * c.prefill_flops_per_token.value();
  }
  CHECK(s.prefill_flops_per_token.value() == Approx(prefill));
  CHECK_THROWS(summarize_costs(a, 0, 4096, default_cost_options(a)));
}
