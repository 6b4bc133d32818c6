// Pipeline sends per stage boundary (issue #15, models/training/pipeline_sends.h): between two stages of one
// NVLink domain a send runs on NVLink, otherwise on the scale-out NIC. Times by hand from the node files; the
// HGX scenarios keep the one NIC time they always had.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hw/ep_alltoall_cost.h"
#include "models/schedule/registry.h"
#include "models/training/block_costs.h"
#include "models/training/pipeline_sends.h"
#include "models/training/step_analytic.h"
#include "models/training/step_model.h"
#include "models/training/training_run.h"
#include "support/shipped_hardware.h"
#include "support/training_blocks.h"

namespace tr = fathom::models::training;

namespace {

// One micro-batch of DeepSeek-V3 at 4,096 tokens per GPU in BF16: 4,096 x 7,168 x 2 bytes.
constexpr double kSendBytes = 4096.0 * 7168.0 * 2.0;

// 2 GB200 NVL72 racks (36 trays of 4 GPUs), PP4 DualPipe: each stage 36 GPUs (dp 36, EP4 on one tray), stages 0-1
// in rack 0, stages 2-3 in rack 1.
tr::TrainingScenario two_racks_pp4() {
  return fathom::test::read_training("deepseek-v3-pretrain-gb200-nvl72.json",
                                     {"cluster.nodes=36", "parallelism.pp=4", "parallelism.ep=4",
                                      "training.micro_batches=8", "training.global_batch_sequences=288"});
}

fathom::hw::NodeSpec node_of(int64_t gpus_per_node, int64_t domain) {
  fathom::hw::NodeSpec n;
  n.gpus_per_node = gpus_per_node;
  n.scaleup_domain_gpus = domain;
  n.intra_latency = fathom::Seconds(2e-6);
  n.intra_achievable_bandwidth = fathom::BytesPerSecond(100e9);
  n.scaleout_nic.count = 1;
  n.scaleout_nic.achievable_bandwidth = fathom::BytesPerSecond(gpus_per_node * 10e9);  // 10 GB/s per GPU
  n.scaleout_nic.latency = fathom::Seconds(5e-6);
  return n;
}

tr::TrainingLayout layout_of(int64_t pp, int64_t dp, int64_t tp = 1) {
  tr::TrainingLayout l;
  l.pp = pp;
  l.dp = dp;
  l.tp = tp;
  l.gpus = pp * dp * tp;
  return l;
}

}  // namespace

TEST_CASE("pipeline sends: 2 NVL72 racks, PP4: boundaries inside a rack on NVLink, across racks on the NIC", "[unit]") {
  const tr::TrainingScenario s = two_racks_pp4();
  REQUIRE(s.layout.dp == 36);
  REQUIRE(s.layout.pp == 4);
  const tr::TrainingPrediction p = tr::predict_training(s);
  const tr::PipelineSends& sends = p.pp_sends;
  // NVLink: 3.33 us + 58,720,256 B / 720 GB/s; NIC: 3.7 us + 58,720,256 B / 40 GB/s (one 400G NIC per GPU).
  CHECK(sends.nvlink_s == Approx(3.33e-6 + kSendBytes / 720e9).epsilon(1e-12));
  CHECK(sends.nvlink_s == Approx(84.8859111e-6).epsilon(1e-9));
  CHECK(sends.nic_s == Approx(3.7e-6 + kSendBytes / 40e9).epsilon(1e-12));
  CHECK(sends.nic_s == Approx(1.4717064e-3).epsilon(1e-9));
  CHECK(p.pp_transfer_s == sends.nic_s);
  // Boundaries 0-1 (rack 0), 1-2 (racks 0 and 1), 2-3 (rack 1), and the wrap 3-0 (racks 1 and 0).
  CHECK(sends.over_nvlink == std::vector<bool>{true, false, true, false});
  CHECK(sends.nvlink_boundaries() == 2);
  CHECK(sends.nic_boundaries() == 1);
  CHECK(sends.send_s(0, 1) == sends.nvlink_s);
  CHECK(sends.send_s(2, 1) == sends.nic_s);  // DualPipe's reverse direction uses the same boundary
  CHECK(sends.send_s(3, 2) == sends.nvlink_s);
  CHECK(sends.send_s(3, 0) == sends.nic_s);
  CHECK_THROWS_AS(sends.send_s(0, 2), std::logic_error);
  // A micro-batch's chain from rank 0 to rank 3: two NVLink sends and one NIC send, as the step times them.
  CHECK(sends.send_s(0, 1) + sends.send_s(1, 2) + sends.send_s(2, 3) == 2 * sends.nvlink_s + sends.nic_s);
}

TEST_CASE("pipeline sends: the event step with NVLink boundaries is below the same step priced all on the NIC",
          "[unit]") {
  for (const std::string fidelity : {"event", "analytic"}) {
    const tr::TrainingScenario s = two_racks_pp4();
    const tr::TrainingPrediction p = tr::predict_training(s);
    const fathom::hw::KernelCostModel model = fathom::test::h800_cost_model();
    tr::StepInputs in{*s.schedule, p.stages, p.pp_transfer_s, s.spec, s.layout, s.cluster.node, model};
    const tr::StepResult all_nic = fidelity == "event" ? tr::simulate_step(in) : tr::analytic_step(in);
    in.pp_sends = &p.pp_sends;
    const tr::StepResult per_boundary = fidelity == "event" ? tr::simulate_step(in) : tr::analytic_step(in);
    INFO(fidelity);
    CHECK(per_boundary.step_s < all_nic.step_s);
    CHECK(per_boundary.step_s > 0);
  }
}

TEST_CASE("pipeline sends: a stage per node (HGX) or per rack keeps the one NIC send, bit for bit", "[unit]") {
  for (const std::string file :
       {"deepseek-v3-pretrain-2048xh800.json", "deepseek-v3-pretrain-1024xh100-tp2-pp8-vp4.json",
        "deepseek-v3-pretrain-gb200-nvl72.json"}) {
    INFO(file);
    const tr::TrainingScenario s = fathom::test::read_training(file, {"fidelity=analytic"});
    const tr::TrainingPrediction p = tr::predict_training(s);
    const auto& node = s.cluster.node;
    const double bytes = double(s.layout.tokens_per_gpu()) * double(s.model.arch.hidden) * 2.0;  // BF16
    // The formula the step used for every boundary before issue #15 (exact equality).
    const double old_s =
        node.scaleout_nic.latency.value() + bytes / fathom::hw::scaleout_bandwidth_per_gpu(node).value();
    CHECK(p.pp_transfer_s == old_s);
    CHECK(p.pp_sends.nic_s == old_s);
    CHECK(p.pp_sends.nvlink_boundaries() == 0);
    CHECK(p.pp_sends.nic_boundaries() == int(s.layout.pp) - 1);
    for (int r = 0; r + 1 < int(s.layout.pp); ++r) CHECK(p.pp_sends.send_s(r, r + 1) == old_s);
    // The event level with the per-boundary sends is the step priced with the one scalar.
    const fathom::hw::KernelCostModel model = fathom::test::h800_cost_model();
    tr::StepInputs in{*s.schedule, p.stages, old_s, s.spec, s.layout, node, model};
    const double scalar = tr::simulate_step(in).step_s;
    in.pp_sends = &p.pp_sends;
    CHECK(tr::simulate_step(in).step_s == scalar);
  }
}

TEST_CASE("pipeline sends: the domain decides, per GPU pair of the two stages", "[unit]") {
  SECTION("HGX, stages smaller than a node: PP4 x DP2 on one 8-GPU node is all NVLink, the wrap included") {
    const tr::PipelineSends s = tr::pipeline_sends(1e6, layout_of(4, 2), node_of(8, 8));
    CHECK(s.over_nvlink == std::vector<bool>{true, true, true, true});
    CHECK(s.nvlink_s == Approx(2e-6 + 1e6 / 100e9).epsilon(1e-15));
    CHECK(s.nic_s == Approx(5e-6 + 1e6 / 10e9).epsilon(1e-15));
    for (int r = 0; r < 4; ++r) CHECK(s.send_s(r, (r + 1) % 4) == s.nvlink_s);
  }
  SECTION("HGX, one node per stage: every boundary on the NIC") {
    const tr::PipelineSends s = tr::pipeline_sends(1e6, layout_of(4, 4, 2), node_of(8, 8));
    CHECK(s.over_nvlink == std::vector<bool>{false, false, false, false});
    for (int r = 0; r < 4; ++r) CHECK(s.send_s(r, (r + 1) % 4) == s.nic_s);
  }
  SECTION("a stage straddling a domain edge (48-GPU stages, 72-GPU domains): NIC, its slowest pair") {
    // Stage 0 = GPUs 0-47, stage 1 = 48-95: GPU 0 -> 48 in domain 0, GPU 24 -> 72 crosses.
    const tr::PipelineSends s = tr::pipeline_sends(1e6, layout_of(3, 48), node_of(4, 72));
    CHECK(s.over_nvlink == std::vector<bool>{false, false, false});
  }
  SECTION("NVL72, 18-GPU stages: four stages per rack, the fourth boundary crosses racks") {
    const tr::PipelineSends s = tr::pipeline_sends(1e6, layout_of(8, 18), node_of(4, 72));
    CHECK(s.over_nvlink == std::vector<bool>{true, true, true, false, true, true, true, false});
    CHECK(s.nvlink_boundaries() == 6);
    CHECK(s.nic_boundaries() == 1);
  }
  SECTION("PP1: no boundary") {
    const tr::PipelineSends s = tr::pipeline_sends(1e6, layout_of(1, 8), node_of(8, 8));
    CHECK(s.over_nvlink.empty());
    CHECK(s.nvlink_boundaries() == 0);
    CHECK(s.nic_boundaries() == 0);
  }
}

TEST_CASE("pipeline sends: event and flow levels put an NVLink boundary's send on NVLink, by hand", "[unit]") {
  // PP2 1F1B, one micro-batch, one block per stage and no all-to-all: the step is F0, send, F1, B1, send, B0 (+ the
  // optimizer), so moving both sends from the NIC to NVLink saves exactly 2 (nic_s - nvlink_s).
  const fathom::hw::KernelCostModel model = fathom::test::h800_cost_model();
  fathom::models::ModelArch arch;
  arch.hidden = 7168;
  const fathom::hw::NodeSpec node = node_of(8, 8);
  tr::TrainingSpec spec;
  const tr::TrainingLayout layout = layout_of(2, 1);
  const tr::BlockCostInputs blocks{arch, false, {}, spec, layout, node, model};
  std::vector<tr::Stage> stages(2);
  for (int s = 0; s < 2; ++s) {
    tr::BlockCost b;
    b.layer = s;
    b.forward_s = 1e-3;
    b.backward_input_s = 1e-3;
    b.backward_weight_s = 0.5e-3;
    b.overlapped = b.full();
    stages[size_t(s)].blocks.push_back(b);
  }
  const double bytes = 1e6;
  const tr::PipelineSends sends = tr::pipeline_sends(bytes, layout, node);  // PP2 x DP1 on one node: NVLink
  REQUIRE(sends.over_nvlink == std::vector<bool>{true, true});
  const fathom::models::schedule::Schedule sch =
      fathom::models::schedule::schedule_registry().get("1f1b", "test").make({2, 1});
  const tr::FlowStepInputs flow{blocks, bytes};
  for (const bool at_flow : {false, true}) {
    INFO((at_flow ? "flow" : "event"));
    tr::StepInputs in{sch, stages, sends.nic_s, spec, layout, node, model, 1, at_flow ? &flow : nullptr};
    const double nic = tr::simulate_step(in).step_s;
    in.pp_sends = &sends;
    const double nvlink = tr::simulate_step(in).step_s;
    CHECK(nic - nvlink == Approx(2 * ((5e-6 + 1e6 / 10e9) - (2e-6 + 1e6 / 100e9))).epsilon(1e-9));
  }
}
