// Training on a scale-up domain wider than a node (issue #15): DeepSeek-V3 on GB200 NVL72 racks
// (scenarios/deepseek-v3-pretrain-gb200-nvl72.json: 4-GPU trays, one 72-GPU NVLink domain per rack). The EP
// all-to-all and the TP collectives between GPUs of one domain run on NVLink, between domains on the trays' NICs;
// TP groups may span trays, never domains. Bytes and seconds by hand; no published step time or MFU is asserted.

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "hw/ep_alltoall_cost.h"
#include "models/tensor_parallel.h"
#include "models/training/block_costs.h"
#include "models/training/training_run.h"
#include "models/training/zero_costs.h"
#include "sim/error.h"
#include "support/training_blocks.h"

namespace tr = fathom::models::training;
namespace hw = fathom::hw;

namespace {

const std::string kFile = "deepseek-v3-pretrain-gb200-nvl72.json";

tr::TrainingScenario read(std::vector<std::string> sets = {}) {
  return fathom::test::read_training(kFile, std::move(sets));
}

using fathom::test::layer_block;

// FP8 dispatch payload of DeepSeek-V3: 7,168 bytes plus 56 FP32 tile scales.
constexpr double kFp8Token = 7168.0 + 56.0 * 4.0;

// The dispatch of `tokens` tokens as the training block prices it (top-8, node-limited to 4 domains).
hw::AllToAllTraffic dispatch_traffic(double tokens, int64_t ep, const hw::NodeSpec& node) {
  hw::AllToAllShape shape;
  shape.tokens_per_gpu = tokens;
  shape.top_k = 8;
  shape.ep_gpus = ep;
  shape.max_nodes_per_token = 4;
  shape.bytes_per_token = fathom::Bytes(kFp8Token);
  return hw::ep_alltoall_traffic(shape, node);
}

}  // namespace

TEST_CASE("NVL72 training: EP8 inside one rack is all NVLink, no NIC bytes", "[unit]") {
  for (const std::string fidelity : {"analytic", "event"}) {
    const tr::TrainingScenario s = read({"fidelity=" + fidelity});
    const auto& l = s.layout;
    CHECK(l.gpus == 1152);
    CHECK(l.dp == 72);  // one 72-GPU rack per pipeline stage
    CHECK(l.ep == 8);
    CHECK(l.ep_groups_per_stage == 9);
    CHECK(l.ep_nodes == 2);    // two 4-GPU trays
    CHECK(l.ep_domains == 1);  // one NVLink domain
    const tr::TrainingPrediction p = tr::predict_training(s);
    const tr::BlockCost& b = layer_block(p, 10);
    REQUIRE(b.moe);
    const double t = b.alltoall_tokens;
    const hw::AllToAllTraffic traffic = dispatch_traffic(t, 8, s.cluster.node);
    CHECK(traffic.over_ib.value() == 0);
    // Once per distinct expert GPU other than the sender: 8 (1 - (7/8)^8) GPUs hit, 7/8 of them remote.
    const double forwards = 8.0 * (1.0 - std::pow(7.0 / 8.0, 8.0)) * (7.0 / 8.0);
    CHECK(traffic.over_nvlink.value() == Approx(t * forwards * kFp8Token).epsilon(1e-12));
    // NVLink latency and the domain's 720 GB/s per GPU; no NIC latency.
    CHECK(s.cluster.node.intra_achievable_bandwidth.value() == 720e9);
    CHECK(b.dispatch_s ==
          Approx(s.cluster.node.intra_latency.value() + t * forwards * kFp8Token / 720e9).epsilon(1e-12));
  }
}

TEST_CASE("NVL72 training: a stage on one rack runs its ZeRO-1 rings on NVLink", "[unit]") {
  const tr::TrainingScenario s = read({"fidelity=analytic"});
  REQUIRE(s.layout.dp_in_one_domain);  // 72 stage GPUs in a 72-GPU domain
  CHECK(s.layout.expert_dp == 9);
  const auto& node = s.cluster.node;
  tr::ChunkParams p;
  p.dense = 1'000'000;
  p.expert = 2'000'000;
  const std::vector<tr::RingTransfer> rings = tr::gradient_reduce_scatter_transfers(p, s.spec, s.layout, node);
  REQUIRE(rings.size() == 2);
  // FP32 gradients: dense over dp 72, experts over expert_dp 9, each at NVLink's latency per ring step.
  CHECK(rings[0].over_nvlink);
  CHECK(rings[0].bytes == Approx(71.0 / 72.0 * 4e6).epsilon(1e-12));
  CHECK(rings[0].latency_s == Approx(71 * 3.33e-6).epsilon(1e-12));
  CHECK(rings[1].bytes == Approx(8.0 / 9.0 * 8e6).epsilon(1e-12));
  CHECK(tr::rings_s(rings, node) ==
        Approx(79 * 3.33e-6 + (71.0 / 72.0 * 4e6 + 8.0 / 9.0 * 8e6) / 720e9).epsilon(1e-12));
  // pp 8: a 144-GPU stage spans two racks, so its rings cross the NICs (40 GB/s per GPU, 3.7 us a step).
  const tr::TrainingScenario two =
      read({"fidelity=analytic", "parallelism.pp=8", "training.global_batch_sequences=30528"});
  CHECK_FALSE(two.layout.dp_in_one_domain);
  const std::vector<tr::RingTransfer> nic = tr::gradient_reduce_scatter_transfers(p, two.spec, two.layout, node);
  CHECK_FALSE(nic[0].over_nvlink);
  CHECK(nic[0].latency_s == Approx(143 * 3.7e-6).epsilon(1e-12));
  CHECK(tr::rings_s({nic[0]}, node) == Approx(143 * 3.7e-6 + 143.0 / 144.0 * 4e6 / 40e9).epsilon(1e-12));
}

TEST_CASE("NVL-domain training: EP64 over two 32-GPU domains sends the cross-domain share over the NICs", "[unit]") {
  // The same trays in 32-GPU domains (8 trays each), 1,024 GPUs: a 64-GPU stage holds one EP64 group over 2 domains.
  const tr::TrainingScenario s = read({"fidelity=analytic", "cluster.node.scaleup_domain_gpus=32", "cluster.nodes=256",
                                       "parallelism.ep=64", "training.global_batch_sequences=13568"});
  CHECK(s.layout.dp == 64);
  CHECK(s.layout.ep_domains == 2);
  CHECK(s.layout.ep_nodes == 16);
  const tr::TrainingPrediction p = tr::predict_training(s);
  const tr::BlockCost& b = layer_block(p, 10);
  const double t = b.alltoall_tokens;
  const hw::AllToAllTraffic traffic = dispatch_traffic(t, 64, s.cluster.node);
  // A token reaches 2 (1 - (1/2)^8) domains, half of them the other one: once over the NIC per remote domain.
  const double remote_domains = 2.0 * (1.0 - std::pow(0.5, 8.0)) * 0.5;
  CHECK(traffic.over_ib.value() == Approx(t * remote_domains * kFp8Token).epsilon(1e-12));
  // Then from the landing GPU to each other expert GPU hit in its domain, on NVLink.
  const double forwards = 64.0 * (1.0 - std::pow(63.0 / 64.0, 8.0)) * (31.0 / 32.0);
  CHECK(traffic.over_nvlink.value() == Approx(t * forwards * kFp8Token).epsilon(1e-12));
  // The tray's NIC: 40 GB/s per GPU (4 NICs, 4 GPUs); both latencies; the slower link class bounds it.
  const auto& node = s.cluster.node;
  const double nic = t * remote_domains * kFp8Token / 40e9, nvl = t * forwards * kFp8Token / 720e9;
  CHECK(nic > nvl);
  CHECK(b.dispatch_s ==
        Approx(node.intra_latency.value() + node.scaleout_nic.latency.value() + std::max(nic, nvl)).epsilon(1e-12));
}

TEST_CASE("NVL72 training: TP8 over two trays of one rack, its collectives on NVLink", "[unit]") {
  // 1,152 GPUs / (pp 16 x tp 8) = 9 pipelines.
  const tr::TrainingScenario s =
      read({"fidelity=analytic", "parallelism.tp=8", "training.global_batch_sequences=1908"});
  CHECK(s.layout.tp == 8);
  CHECK(s.layout.dp == 9);
  CHECK(s.layout.tokens_per_gpu() == 512);
  const tr::TrainingPrediction p = tr::predict_training(s);
  const auto& node = s.cluster.node;
  // One all-gather of the micro-batch's BF16 hidden states (4096 x 7168 x 2 bytes) over 8 GPUs: 7/8 of it per GPU
  // in 7 ring steps at the rack's NVLink latency and 720 GB/s.
  const fathom::models::TpCollective one = fathom::models::tp_ring_collective(4096.0 * 7168 * 2, 8, node);
  CHECK(one.bytes_per_gpu == 4096.0 * 7168 * 2 * 7 / 8);
  CHECK(one.latency_s == Approx(7 * 3.33e-6).epsilon(1e-12));
  CHECK(one.time_s == Approx(7 * 3.33e-6 + 4096.0 * 7168 * 2 * 7 / 8 / 720e9).epsilon(1e-12));
  // Per pass, 2 around the attention block and 2 around the dense FFN or the MoE layer's shared expert.
  CHECK(layer_block(p, 10).tp_collective_s == Approx(4 * one.time_s).epsilon(1e-12));
  CHECK(layer_block(p, 0).tp_collective_s == Approx(4 * one.time_s).epsilon(1e-12));
}

TEST_CASE("NVL72 training: one clear line for TP or EP across racks and for the flow level", "[unit]") {
  // 32 racks, tp 16: 2,304 / (16 x 16) = 9 pipelines, but 16 does not divide a rack's 72 GPUs.
  CHECK_THROWS_WITH(read({"parallelism.tp=16", "cluster.nodes=576", "training.global_batch_sequences=1908"}),
                    Catch::Contains(kFile + ": parallelism.tp: 16 must divide the 72 GPUs of an NVLink domain (18 "
                                            "nodes of 4): a TP group stays on NVLink, never across domains"));
  // pp 2: a stage of 576 GPUs (8 racks) holds 9 EP64 groups, but the second would span racks 0 and 1.
  CHECK_THROWS_WITH(read({"parallelism.pp=2", "parallelism.ep=64", "training.global_batch_sequences=122112"}),
                    Catch::Contains(kFile + ": parallelism.ep: 64 GPUs neither divide nor are a multiple of the 72 "
                                            "GPUs of an NVLink domain: EP groups would straddle two domains"));
  CHECK_THROWS_WITH(read({"fidelity=flow"}),
                    Catch::Contains(kFile + ": fidelity: \"flow\" maps GPUs to NVLink and NIC planes per node; an "
                                            "NVLink domain of 72 GPUs over 4-GPU nodes (NVL72) needs fidelity "
                                            "\"event\" or \"analytic\""));
}
