// The MTP module's eh_proj under TP in training (issue #15): split by its output columns, as Megatron-Core's
// ColumnParallelLinear (tp_shards.h). TP2 on the 1,024 x H100 scenario: exact parameter counts per TP rank, the
// FP8 weight bytes and the TP collectives of the MTP block, by hand.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/tensor_parallel.h"
#include "models/training/block_costs.h"
#include "models/training/rank_memory.h"
#include "models/training/tp_shards.h"
#include "models/training/training_run.h"
#include "support/training_blocks.h"

namespace tr = fathom::models::training;
using fathom::models::LayerKind;

namespace {

tr::TrainingScenario tp2() {
  return fathom::test::read_training("deepseek-v3-pretrain-1024xh100-tp2-pp8-vp4.json", {"fidelity=analytic"});
}

const tr::BlockCost& mtp_block(const tr::TrainingPrediction& p) {
  for (const tr::Stage& st : p.stages)
    for (const tr::BlockCost& b : st.blocks)
      if (b.kind == tr::BlockKind::mtp) return b;
  throw std::logic_error("no MTP block");
}

// A DeepSeek-V3 MoE layer's non-expert parameters on one TP2 rank (tests/models/training_tp_vp_test.cpp): whole
// 16,990,464 (MLA down-projections, norms, router), halved 108,003,328 (q_b, kv_b, o_proj, the shared expert).
constexpr int64_t kLayerWhole = 16'990'464;
constexpr int64_t kLayerHalved = 108'003'328;
// eh_proj: [7168, 2 x 7168] = 102,760,448 parameters; enorm, hnorm and shared_head.norm 7,168 each.
constexpr int64_t kEhProj = 7168LL * 14336;
constexpr int64_t kMtpNorms = 3 * 7168;

}  // namespace

TEST_CASE("MTP under TP2: eh_proj split by its output columns, the parameters per TP rank exact", "[unit]") {
  const tr::TrainingScenario s = tp2();
  const fathom::models::ModelArch& a = s.model.arch;
  REQUIRE(a.mtp_layer_is_moe);
  CHECK(kEhProj == 102'760'448);
  const tr::TpLayerParams mtp = tr::tp_layer_params(a, LayerKind::mtp, 2);
  CHECK(mtp.removed == kLayerHalved + kEhProj / 2);  // 159,383,552
  CHECK(mtp.removed == 159'383'552);
  CHECK(mtp.replicated == kLayerWhole + kMtpNorms);  // eh_proj no longer all-reduced over TP
  // The shard's eh_proj: 3,584 rows (output columns) of 14,336.
  for (const fathom::models::WeightTensor& t : tr::training_tp_layer_weights(a, LayerKind::mtp, 2)) {
    if (t.name != "eh_proj") continue;
    CHECK(t.rows == 3584);
    CHECK(t.cols == 14336);
  }
  // The MTP block of the prediction: its dense parameters on one TP rank.
  const tr::TrainingPrediction p = tr::predict_training(s);
  const tr::BlockCost& b = mtp_block(p);
  CHECK(b.dense_params == kLayerWhole + kLayerHalved + kMtpNorms + kEhProj / 2);  // 176,395,520
  CHECK(b.dense_params == 176'395'520);
  CHECK(b.tp_replicated_params == kLayerWhole + kMtpNorms);
  // TP1: nothing removed, nothing replicated.
  CHECK(tr::tp_layer_params(a, LayerKind::mtp, 1).removed == 0);
}

TEST_CASE("MTP under TP2: eh_proj's FP8 weight bytes halved on a TP rank", "[unit]") {
  const tr::TrainingScenario s = tp2();
  const fathom::models::ModelArch& a = s.model.arch;
  std::vector<tr::Stage> stages(2);
  stages[0].blocks.push_back({});
  stages[0].blocks[0].kind = tr::BlockKind::layer;
  stages[0].blocks[0].layer = 10;  // a MoE layer
  stages[1].blocks.push_back({});
  stages[1].blocks[0].kind = tr::BlockKind::mtp;
  stages[1].blocks[0].layer = a.layers;  // the MTP module
  const auto fp8 = fathom::hw::DType::fp8;
  const double mtp = tr::fp8_weight_bytes(a, stages, {1}, s.layout, fp8, 1);
  const double moe = tr::fp8_weight_bytes(a, stages, {0}, s.layout, fp8, 1);
  // The MTP module = a MoE layer + eh_proj (its norms are not FP8): 3,584 x 14,336 FP8 bytes + one FP32 scale per
  // 128 x 128 block (28 x 112 of them).
  CHECK(mtp - moe == 3584.0 * 14336 + 28.0 * 112 * 4);
  CHECK(mtp - moe == 51'392'768.0);
}

TEST_CASE("MTP under TP2: eh_proj adds three TP rings per pass to the MTP block", "[unit]") {
  const tr::TrainingScenario s = tp2();
  const tr::TrainingPrediction p = tr::predict_training(s);
  // One ring of the micro-batch's BF16 hidden states over the TP pair (4096 x 7168 x 2 bytes, each GPU sends half).
  const fathom::models::TpCollective one = fathom::models::tp_ring_collective(4096.0 * 7168 * 2, 2, s.cluster.node);
  // A MoE layer with a shared expert: 4; the MTP module (a MoE layer + eh_proj): 4 + 3 (forward: all-gather of the
  // 2h-wide input, gather of the h-wide output; backward: their reduce-scatter and all-gather).
  CHECK(fathom::test::layer_block(p, 10).tp_collective_s == Approx(4 * one.time_s).epsilon(1e-12));
  CHECK(mtp_block(p).tp_collective_s == Approx(7 * one.time_s).epsilon(1e-12));
}
