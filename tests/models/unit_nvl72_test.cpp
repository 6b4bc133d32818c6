// The GB200 NVL72 decode unit (scenarios/unit/deepseek-r1-decode-ep72-gb200-nvl72.json): EP over the
// rack's 18 trays runs on NVLink (the scale-up domain, not the 4-GPU tray, decides the link), the scaled
// Blackwell calibration is reported as uncalibrated, and FP4 experts / FP8 attention take the faster peaks.

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "models/eplb/policy_registry.h"
#include "models/eplb/zipf_imbalance.h"
#include "models/unit/unit_run.h"

using namespace fathom;
using namespace fathom::models;

namespace {

const std::string kNvl72 = "unit/deepseek-r1-decode-ep72-gb200-nvl72.json";

unit::UnitResult predict(const std::vector<std::string>& sets = {}) {
  ProvenanceLog log;
  return unit::predict_unit(
      unit::read_unit_scenario(load_scenario(std::string(FATHOM_SOURCE_DIR) + "/scenarios/" + kNvl72, sets), log));
}

serving::CostRow row(const unit::UnitResult& r, const std::string& name) {
  for (const auto& n : r.breakdown) {
    if (n.name == name) return n.row;
  }
  FAIL("no breakdown row " << name);
  return {};
}

}  // namespace

TEST_CASE("NVL72 unit: EP72 over 18 trays pays NVLink latency only, as 4-GPU islands it pays the NICs", "[unit]") {
  const unit::UnitResult rack = predict();
  const unit::UnitResult islands = predict({"cluster.node.scaleup_domain_gpus=4"});
  for (const char* phase : {"dispatch", "combine"}) {
    INFO(phase);
    // The same number of all-to-alls; each 3.33 us (NVLink) in the rack, 3.33 + 3.7 us (NVLink + NIC) as
    // islands.
    CHECK(row(rack, phase).latency_s / row(islands, phase).latency_s == Approx(3.33 / (3.33 + 3.7)));
    CHECK(row(rack, phase).time_s < row(islands, phase).time_s);
  }
  CHECK(rack.step_s < islands.step_s);
}

TEST_CASE("NVL72 unit: the scaled Blackwell calibration is named as uncalibrated in the result", "[unit]") {
  const unit::UnitResult r = predict();
  REQUIRE(r.calibration_mismatch);
  CHECK(r.calibration_mismatch->scaled);
  CHECK(r.calibration_mismatch->calibration_device == "NVIDIA H800 SXM5");
  CHECK(r.calibration_mismatch->families.size() == 8);
}

TEST_CASE("NVL72 unit: FP4 experts shorten the expert GEMMs, FP8 attention the MLA decode kernel", "[unit]") {
  const unit::UnitResult base = predict();
  const unit::UnitResult fp4 = predict({"model.expert_weights_dtype=fp4"});
  CHECK(row(fp4, "grouped_gemm_masked").time_s < row(base, "grouped_gemm_masked").time_s);
  CHECK(row(fp4, "mla_decode").time_s == row(base, "mla_decode").time_s);
  CHECK(fp4.step_s < base.step_s);
  const unit::UnitResult fp8 = predict({"model.kv_cache_dtype=fp8", "model.attention_dtype=fp8"});
  CHECK(row(fp8, "mla_decode").time_s < row(base, "mla_decode").time_s);
  CHECK(row(fp8, "grouped_gemm_masked").time_s == row(base, "grouped_gemm_masked").time_s);
}

TEST_CASE("NVL72 unit: a TP8 group spans two 4-GPU trays of the rack, its collectives on NVLink", "[unit]") {
  // 72 GPUs = 9 TP8 groups (attention DP 9); each group covers two trays of one NVLink domain.
  const unit::UnitResult tp8 = predict({"parallelism.tp=8", "parallelism.dp=9", "unit.batch_per_gpu=16"});
  const serving::CostRow tp = row(tp8, "tp_collectives");
  REQUIRE(tp.bytes > 0);
  // Priced as tensor_parallel.h's NVLink ring: (8 - 1) steps of the tray's intra-domain latency each, and the
  // bytes at its intra-domain bandwidth; no NIC term.
  ProvenanceLog log;
  const auto s =
      unit::read_unit_scenario(load_scenario(std::string(FATHOM_SOURCE_DIR) + "/scenarios/" + kNvl72,
                                             {"parallelism.tp=8", "parallelism.dp=9", "unit.batch_per_gpu=16"}),
                               log);
  const auto& node = s.cluster.node;
  REQUIRE(node.gpus_per_node == 4);
  REQUIRE(node.scaleup_domain_gpus == 72);
  const double collectives = tp.latency_s / (7.0 * node.intra_latency.value());
  CHECK(collectives == Approx(std::round(collectives)).epsilon(1e-9));
  CHECK(collectives >= 2.0);
  CHECK(tp.time_s == Approx(tp.latency_s + tp.bytes / node.intra_achievable_bandwidth.value()).epsilon(1e-9));
  // Each collective moves 7/8 of the group's gathered BF16 hidden states: 8 x 16 requests x (1 + MTP tokens) x
  // 7168 x 2 bytes, per micro-batch of 2.
  CHECK(tp.bytes / collectives / (7.0 / 8.0) / 7168.0 / 2.0 / 8.0 ==
        Approx(std::round(tp.bytes / collectives / (7.0 / 8.0) / 7168.0 / 2.0 / 8.0)).epsilon(1e-9));
}

TEST_CASE("NVL72 unit: a TP group never crosses NVLink domains", "[unit]") {
  // tp 16 does not divide the rack's 72 GPUs: some group would straddle two racks (36 trays, 144 GPUs).
  CHECK_THROWS_WITH(predict({"cluster.nodes=36", "parallelism.ep=144", "parallelism.dp=9", "parallelism.tp=16"}),
                    Catch::Contains("deepseek-r1-decode-ep72-gb200-nvl72.json: parallelism.tp: 16 must divide the 72 "
                                    "GPUs of an NVLink domain (18 nodes of 4): a TP group stays on NVLink, never "
                                    "across domains"));
  // As 4-GPU islands (one domain per tray) TP8 no longer fits either.
  CHECK_THROWS_WITH(predict({"cluster.node.scaleup_domain_gpus=4", "parallelism.tp=8", "parallelism.dp=9"}),
                    Catch::Contains("parallelism.tp: 8 must divide the 4 GPUs of a node (a TP group stays on NVLink)"));
}

// EPLB's hierarchical placement groups experts per NVLink domain (issue #15): on NVL72 the rack, not the tray.
TEST_CASE("NVL72 unit: EPLB's hierarchical node groups are the EP group's NVLink domains", "[unit]") {
  ProvenanceLog log;
  const auto node_of = [&](const std::string& rel) {
    return unit::read_unit_scenario(load_scenario(std::string(FATHOM_SOURCE_DIR) + "/scenarios/" + rel), log)
        .cluster.node;
  };
  const hw::NodeSpec tray = node_of(kNvl72);
  CHECK(eplb::eplb_node_groups(72, tray) == 1);    // one rack of 18 trays
  CHECK(eplb::eplb_node_groups(32, tray) == 1);    // 8 trays inside the rack
  CHECK(eplb::eplb_node_groups(144, tray) == 2);   // two racks
  CHECK(eplb::eplb_node_groups(108, tray) == 27);  // uneven over domains: per tray
  const hw::NodeSpec h800 = node_of("unit/deepseek-v3-decode-ep144-h800.json");
  CHECK(eplb::eplb_node_groups(144, h800) == 18);  // HGX: the node is the domain, as before
  CHECK(eplb::eplb_node_groups(32, h800) == 4);
  CHECK(eplb::eplb_node_groups(4, h800) == 1);
  // DeepSeek-V3's 8 expert groups over one domain: the hierarchical policy (over 18 trays it was global).
  CHECK(eplb::auto_policy_name({.num_replicas = 288, .num_groups = 8, .num_nodes = 1, .num_gpus = 72}) ==
        "hierarchical");
  CHECK(eplb::auto_policy_name({.num_replicas = 288, .num_groups = 8, .num_nodes = 18, .num_gpus = 72}) == "global");
  CHECK(predict().eplb_node_groups == 1);
  // As eighteen 4-GPU islands every tray is its own group again.
  CHECK(predict({"cluster.node.scaleup_domain_gpus=4"}).eplb_node_groups == 18);
}
