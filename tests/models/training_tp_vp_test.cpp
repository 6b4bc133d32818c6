// Tensor parallelism and interleaved virtual pipeline stages in training (issue #15): the Megatron-style
// DeepSeek-V3 layout TP2 x PP8 x VP4 x EP64 on 1,024 H100 (scenarios/deepseek-v3-pretrain-1024xh100-tp2-pp8-vp4.json).
// Exact layout, TP collective seconds and sharded parameter counts; the key validation lines. No published
// step time or MFU is asserted.

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "models/param_counts.h"
#include "models/tensor_parallel.h"
#include "models/training/block_costs.h"
#include "models/training/tp_shards.h"
#include "models/training/training_run.h"
#include "models/training/zero_costs.h"
#include "sim/error.h"
#include "support/training_blocks.h"

namespace tr = fathom::models::training;

namespace {

const std::string kFile = "deepseek-v3-pretrain-1024xh100-tp2-pp8-vp4.json";

tr::TrainingScenario read(std::vector<std::string> sets = {}) {
  return fathom::test::read_training(kFile, std::move(sets));
}

using fathom::test::layer_block;

}  // namespace

TEST_CASE("TP2 PP8 VP4 EP64 on 1,024 GPUs: the layout and the interleaved schedule", "[unit]") {
  const tr::TrainingScenario s = read({"fidelity=analytic"});
  const auto& l = s.layout;
  CHECK(l.gpus == 1024);
  CHECK(l.tp == 2);
  CHECK(l.pp == 8);
  CHECK(l.dp == 64);                  // 1024 / (8 x 2)
  CHECK(l.ep_groups_per_stage == 2);  // the 128 GPUs of a stage / EP64
  CHECK(l.expert_dp == 2);
  CHECK(l.experts_per_gpu == 4);
  CHECK(l.micro_batch_tokens == 4096);
  CHECK(l.tokens_per_gpu() == 2048);  // sequence parallelism
  CHECK(l.tokens_per_step == 8192LL * 4096);
  CHECK(s.schedule->name == "interleaved_1f1b");
  CHECK(s.schedule->stages == 32);
  CHECK(s.schedule->chunks_per_rank == 4);
}

TEST_CASE("TP2 in training: the collectives' seconds and the sharded parameters, exact", "[unit]") {
  const tr::TrainingScenario s = read({"fidelity=analytic"});
  const tr::TrainingPrediction p = tr::predict_training(s);
  const auto& node = s.cluster.node;
  // One all-gather (or reduce-scatter) of the micro-batch's BF16 hidden states, 4096 x 7168 x 2 bytes, over 2 GPUs:
  // each sends half, 29,360,128 bytes, in one ring step.
  const fathom::models::TpCollective one = fathom::models::tp_ring_collective(4096.0 * 7168 * 2, 2, node);
  CHECK(one.bytes_per_gpu == 29'360'128.0);
  CHECK(one.latency_s == node.intra_latency.value());
  CHECK(one.time_s == Approx(node.intra_latency.value() + 29'360'128.0 / node.intra_achievable_bandwidth.value()));
  // Per pass: an attention block has an all-gather and a reduce-scatter; a dense layer's FFN two more, and so does
  // a MoE layer's shared expert (split like a dense FFN in training, tp_shards.h).
  const tr::BlockCost& moe = layer_block(p, 10);
  const tr::BlockCost& dense = layer_block(p, 0);
  REQUIRE(moe.moe);
  REQUIRE_FALSE(dense.moe);
  CHECK(moe.tp_collective_s == Approx(4 * one.time_s).epsilon(1e-12));
  CHECK(dense.tp_collective_s == Approx(4 * one.time_s).epsilon(1e-12));
  // The all-to-alls carry each GPU's own 2,048 tokens (times the layer's imbalance).
  CHECK(moe.alltoall_tokens == Approx(2048.0 * moe.expert_imbalance).epsilon(1e-12));
  // Sharded MLA weights: q_b_proj 1536 x 128 x 192, kv_b_proj 512 x 128 x 256 and o_proj 128 x 128 x 7168 are
  // split in two, and so is the shared expert 3 x 7168 x 2048; q_a_proj and kv_a_proj_with_mqa, norms and router
  // are whole.
  const tr::TrainingScenario one_tp = read(
      {"fidelity=analytic", "parallelism.tp=1", "training.micro_batches=64", "training.global_batch_sequences=8192"});
  const tr::TrainingPrediction p1 = tr::predict_training(one_tp);
  CHECK(layer_block(p1, 10).dense_params - moe.dense_params ==
        (37'748'736 + 16'777'216 + 117'440'512 + 44'040'192) / 2);
  CHECK(layer_block(p1, 10).tp_replicated_params == 0);
  CHECK(layer_block(p1, 10).tp_collective_s == 0.0);
}

TEST_CASE("ZeRO-1 under TP2: each TP rank shards and moves its own 1/tp of the TP-split weights, by hand", "[unit]") {
  const tr::TrainingScenario s = read({"fidelity=analytic"});
  const tr::TrainingPrediction p = tr::predict_training(s);
  const tr::BlockCost& moe = layer_block(p, 10);
  // A DeepSeek-V3 MoE layer's non-expert parameters on one TP rank: whole (replicated over the TP group)
  // q_a_proj 7168 x 1536, q_a_layernorm 1536, kv_a_proj_with_mqa 7168 x 576, kv_a_layernorm 512, the two layer
  // norms 2 x 7168, router 256 x 7168 and its 256 score-correction biases; halved q_b_proj 1536 x 128 x 192,
  // kv_b_proj 512 x 128 x 256, o_proj 128 x 128 x 7168 and the shared expert 3 x 7168 x 2048 (Megatron-Core splits
  // it like a dense FFN).
  const int64_t whole = 11'010'048 + 1'536 + 4'128'768 + 512 + 14'336 + 1'835'008 + 256;
  const int64_t halved = (37'748'736 + 16'777'216 + 117'440'512 + 44'040'192) / 2;
  CHECK(whole == 16'990'464);
  CHECK(moe.dense_params == whole + halved);  // 124,993,792
  CHECK(moe.tp_replicated_params == whole);
  const fathom::models::ModelArch& arch = s.model.arch;
  const tr::TpLayerParams tp_params = tr::tp_layer_params(arch, fathom::models::LayerKind::moe, 2);
  CHECK(tp_params.replicated == whole);
  CHECK(tp_params.removed == halved);
  // 4 routed experts per GPU, 3 x 7168 x 2048 each (EP is not split by TP).
  CHECK(moe.expert_params == 4 * 44'040'192);
  const tr::ChunkParams one_layer = tr::chunk_params({moe});
  // Gradient reduce-scatter (FP32) of the dense part over dp = 64 pipelines (the GPUs holding the same TP rank's
  // shard), then of the experts over expert_dp = 2: (n - 1) / n of the buffer each.
  const auto rs = tr::gradient_reduce_scatter_transfers(one_layer, s.spec, s.layout, s.cluster.node);
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].bytes == 124'993'792.0 * 4 * 63 / 64);
  CHECK(rs[0].bytes == 492'163'056.0);
  CHECK_FALSE(rs[0].over_nvlink);               // 128-GPU stages span 16 HGX nodes: the NICs
  CHECK(rs[1].bytes == 176'160'768.0 * 4 / 2);  // 352,321,536
  // Sequence parallelism: the replicated weights' FP32 gradients all-reduced over the TP pair on NVLink, a ring
  // reduce-scatter + all-gather: 2 x (2 - 1) / 2 x 16,990,464 x 4 B in 2 steps.
  CHECK(rs[2].over_nvlink);
  CHECK(rs[2].bytes == 67'961'856.0);
  CHECK(rs[2].latency_s == 2 * s.cluster.node.intra_latency.value());
  CHECK(tr::rings_s({rs[2]}, s.cluster.node) == Approx(2 * s.cluster.node.intra_latency.value() +
                                                       67'961'856.0 / s.cluster.node.intra_achievable_bandwidth.value())
                                                    .epsilon(1e-12));
  // Parameter all-gather (BF16) of the same shards; nothing for TP (each rank updates its replicated copy whole).
  const auto ag = tr::parameter_all_gather_transfers(one_layer, s.spec, s.layout, s.cluster.node);
  REQUIRE(ag.size() == 2);
  CHECK(ag[0].bytes == 246'081'528.0);  // 124,993,792 x 2 x 63 / 64
  CHECK(ag[1].bytes == 176'160'768.0);
  // The optimizer shard: 124,993,792 / 64 + 176,160,768 / 2.
  CHECK(tr::zero1_shard_params(one_layer, s.layout) == 1'953'028.0 + 88'080'384.0);
}

TEST_CASE("TP2 in training: the shared expert split like a dense FFN, its GEMM shapes and weights by hand", "[unit]") {
  const tr::TrainingScenario s = read({"fidelity=analytic"});
  const fathom::models::ModelArch& a = s.model.arch;
  const fathom::models::ModelArch shard = tr::training_tp_arch(a, 2);
  CHECK(shard.moe_intermediate == 1024);  // the shared expert's width on one TP rank: 2048 / 2
  CHECK(shard.heads == 64);
  CHECK(shard.intermediate == 9216);
  // On the all-gathered micro-batch (4,096 tokens) with half the width: shared_gate_up 4096 x 7168 -> 2 x 1024,
  // shared_down 4096 x 1024 -> 7168; the FLOPs equal TP1's on 4,096 own tokens, each GEMM's weight is halved.
  const auto options = fathom::models::default_cost_options(a);
  const auto ops =
      fathom::models::training_layer_ops(shard, 10, {1, 4096, true}, options, tr::ep_moe_load(a, s.layout, 1.0));
  const auto whole_ops =
      fathom::models::training_layer_ops(a, 10, {1, 4096, true}, options, tr::ep_moe_load(a, s.layout, 1.0));
  const auto find = [](const std::vector<fathom::models::Op>& list, const std::string& name) {
    for (const auto& op : list)
      if (op.name == name) return op;
    throw std::logic_error("no op " + name);
  };
  CHECK(find(ops, "shared_gate_up").work.flops.value() == 2.0 * 4096 * 7168 * 2048);
  CHECK(find(ops, "shared_down").work.flops.value() == 2.0 * 4096 * 1024 * 7168);
  CHECK(find(whole_ops, "shared_gate_up").work.flops.value() == 2.0 * 2.0 * 4096 * 7168 * 2048);
  CHECK(find(ops, "shared_gate_up").work.bytes_read.value() <
        find(whole_ops, "shared_gate_up").work.bytes_read.value());
}

TEST_CASE("TP communication overlap: the rule by hand", "[unit]") {
  // Without overlap a pass carries all of its TP collectives; with it, what its TP-block GEMMs cannot hide.
  CHECK(tr::exposed_tp_collectives_s(0.003, 0.002, false) == 0.003);
  CHECK(tr::exposed_tp_collectives_s(0.003, 0.002, true) == Approx(0.001).epsilon(1e-12));
  CHECK(tr::exposed_tp_collectives_s(0.003, 0.005, true) == 0.0);
  CHECK(tr::exposed_tp_collectives_s(0.003, 0.003, true) == 0.0);
}

TEST_CASE("TP communication overlap in the TP2 PP8 VP4 job: hidden up to the GEMMs, never slower", "[unit]") {
  // One written stage cut for both: the min-max cut moves with the overlapped costs (layers 8-9 and 44-59 change
  // chunks), and its uneven interleaved chunks then make the step 31.31 s against 31.15 s at both the analytic and
  // the event level — the cut's doing, not the overlap's (docs/training.md §6).
  const std::string cut = "training.pipeline_layout=Et*3|(tt|)*29,m|L";
  const tr::TrainingScenario off_s = read({"fidelity=analytic", cut});
  const tr::TrainingScenario on_s = read({"fidelity=analytic", "parallelism.tp_comm_overlap=true", cut});
  CHECK_FALSE(off_s.layout.tp_comm_overlap);
  CHECK(on_s.layout.tp_comm_overlap);
  const tr::TrainingPrediction off = tr::predict_training(off_s);
  const tr::TrainingPrediction on = tr::predict_training(on_s);
  for (int64_t layer : {0, 10}) {
    const tr::BlockCost& a = layer_block(off, layer);
    const tr::BlockCost& b = layer_block(on, layer);
    const double c = a.tp_collective_s;
    REQUIRE(c > 0);
    REQUIRE(b.tp_collective_s == c);
    // The same ops, so the same TP-block GEMM times, with and without overlap.
    CHECK(a.tp_gemm.forward_s > 0);
    CHECK(a.tp_gemm.backward_input_s > 0);
    CHECK(b.tp_gemm.forward_s == a.tp_gemm.forward_s);
    CHECK(a.tp_exposed_forward_s == c);
    CHECK(a.tp_exposed_backward_input_s == c);
    CHECK(b.tp_exposed_forward_s == std::max(0.0, c - a.tp_gemm.forward_s));
    CHECK(b.tp_exposed_backward_input_s == std::max(0.0, c - a.tp_gemm.backward_input_s));
    CHECK(b.forward_s == Approx(a.forward_s - c + b.tp_exposed_forward_s).epsilon(1e-12));
    CHECK(b.backward_input_s == Approx(a.backward_input_s - c + b.tp_exposed_backward_input_s).epsilon(1e-12));
    CHECK(b.backward_weight_s == a.backward_weight_s);
    CHECK(b.forward_s < a.forward_s);
  }
  CHECK(on.step.step_s <= off.step.step_s);
}

TEST_CASE("interleaving: VP4 has a smaller pipeline bubble than the same job without it", "[unit]") {
  // At TP1 (64 micro-batches for the 128 pipelines), VP4 on a written cut of docs/training.md (embedding and three
  // layers, two layers per chunk, MTP and the head alone: 3.2 s against VP1's 4.8 s). The min-max interleaved cut
  // (partition_stages: min-max stage cost, bounded by the head-heavy last stage, then rank balancing) leaves 1- to
  // 3-layer chunks that stall the interleaved order, and `Et|(tt|)*30mL` puts MTP and the head in one chunk: the
  // analytic level, which times each chunk's own units (program_timing.h), gives VP4 bubbles of 9.5 s and 6.3 s
  // there, as the event level does: a limit of the stage cut, not of the schedule (docs/training.md, Not done yet).
  const std::vector<std::string> tp1 = {"fidelity=analytic", "parallelism.tp=1", "training.micro_batches=64"};
  std::vector<std::string> tp1_vp1 = tp1;
  tp1_vp1.push_back("training.virtual_stages=1");
  std::vector<std::string> tp1_vp4 = tp1;
  tp1_vp4.push_back("training.pipeline_layout=Et*3|(tt|)*29,m|L");
  const tr::TrainingPrediction vp4 = tr::predict_training(read(tp1_vp4));
  const tr::TrainingPrediction vp1 = tr::predict_training(read(tp1_vp1));
  double bubble4 = 0, bubble1 = 0;
  for (const auto& r : vp4.step.ranks) bubble4 = std::max(bubble4, r.bubble_s);
  for (const auto& r : vp1.step.ranks) bubble1 = std::max(bubble1, r.bubble_s);
  CHECK(bubble4 < bubble1);
  CHECK(vp4.step.ranks[0].stages == std::vector<int>{0, 8, 16, 24});
}

TEST_CASE("virtual stages and TP in training: one clear line for each impossible layout", "[unit]") {
  const std::string f = "deepseek-v3-pretrain-1024xh100-tp2-pp8-vp4.json";
  CHECK_THROWS_WITH(read({"training.micro_batches=100", "training.global_batch_sequences=6400"}),
                    Catch::Contains(f + ": training.micro_batches: interleaved_1f1b needs micro_batches a multiple of "
                                        "pp = 8 (Megatron-LM's interleaved schedule), got 100"));
  CHECK_THROWS_WITH(read({"training.schedule=dualpipe"}),
                    Catch::Contains(f + ": training.virtual_stages: 4 chunks per rank need schedule "
                                        "\"interleaved_1f1b\" (schedule is \"dualpipe\")"));
  CHECK_THROWS_WITH(read({"training.virtual_stages=8"}),
                    Catch::Contains(f + ": training.virtual_stages: pp 8 x virtual_stages 8 = 64 stages exceed the "
                                        "model's 61 layers"));
  CHECK_THROWS_WITH(read({"training.virtual_stages=0"}), Catch::Contains(f + ": training.virtual_stages:"));
  CHECK_THROWS_WITH(read({"parallelism.tp=16", "training.micro_batches=128", "training.global_batch_sequences=512"}),
                    Catch::Contains(f + ": parallelism.tp: 16 must divide the 8 GPUs of a node"));
  CHECK_THROWS_WITH(read({"fidelity=flow"}), Catch::Contains(f + ": parallelism.tp: 2: the flow level"));
}
