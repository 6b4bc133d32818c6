// The shipped GPU and node files load, carry a source on every value, and hold the datasheet figures.

#include <catch2/catch.hpp>

#include <string>

#include "hw/node_spec.h"
#include "sim/scenario_document.h"
#include "support/shipped_hardware.h"

using namespace fathom;

namespace {

std::string scenario_path(const std::string& rel) { return std::string(FATHOM_SOURCE_DIR) + "/scenarios/" + rel; }

hw::NodeSpec load_node(const std::string& rel, ProvenanceLog* log, const std::vector<std::string>& sets = {}) {
  const ScenarioDocument doc = load_scenario(scenario_path(rel), sets);
  return hw::read_node_spec(SpecReader(doc.root, doc.label, "", log));
}

}  // namespace

TEST_CASE("every shipped GPU and node file loads and every value has a source", "[unit]") {
  for (const std::string node : {"h800-8gpu", "h100-8gpu", "h200-8gpu", "rtx4090-2gpu", "hgx-b200-8gpu",
                                 "gb200-nvl72-tray", "gb300-nvl72-tray"}) {
    INFO(node);
    ProvenanceLog log;
    load_node("hw/nodes/" + node + ".json", &log);
    REQUIRE(!log.entries().empty());
    for (const auto& e : log.entries()) {
      INFO(e.json_path);
      // "name" and "kind" are labels, not quantities; everything else must say where it came from.
      if (e.json_path == "name" || e.json_path == "gpu.name" || e.json_path == "intra_node.kind") continue;
      CHECK(e.source.kind != SourceKind::user);
    }
  }
}

TEST_CASE("H800 node figures match published-figures.md", "[unit]") {
  const hw::NodeSpec n = load_node("hw/nodes/h800-8gpu.json", nullptr);
  CHECK(n.gpu.sm_count == 132);                                  // H01
  CHECK(n.gpu.peak_bf16_dense.value() == 989e12);                // H03
  CHECK(n.gpu.peak(hw::DType::fp8).value() == 1979e12);          // H04
  CHECK(n.gpu.hbm_capacity.value() == 84943110144.0);            // H02
  CHECK(n.gpu.nvlink_bandwidth_per_direction.value() == 200e9);  // H05: 400 GB/s bidirectional
  CHECK(n.gpus_per_node == 8);                                   // T01
  CHECK(n.scaleout_nic.count == 8);                              // N03
  CHECK(n.scaleout_nic.bandwidth.value() == 50e9);               // H08: 400 Gb/s
  CHECK(n.intra_achievable_bandwidth.value() == 160e9);          // N02
}

TEST_CASE("H100 and H200 differ only where the datasheets differ", "[unit]") {
  const hw::NodeSpec h100 = load_node("hw/nodes/h100-8gpu.json", nullptr);
  const hw::NodeSpec h200 = load_node("hw/nodes/h200-8gpu.json", nullptr);
  CHECK(h100.gpu.peak_fp8_dense == h200.gpu.peak_fp8_dense);
  CHECK(h200.gpu.hbm_capacity.value() == 141e9);
  CHECK(h200.gpu.hbm_bandwidth.value() == 4.8e12);
  CHECK(h100.gpu.nvlink_bandwidth_per_direction.value() == 450e9);
}

TEST_CASE("bad hardware values are rejected with the JSON path", "[unit]") {
  CHECK_THROWS_WITH(load_node("hw/nodes/h800-8gpu.json", nullptr, {"gpu.hbm_capacity=80Gx"}),
                    Catch::StartsWith("h800-8gpu.json: gpu.hbm_capacity: unknown unit \"Gx\""));
  CHECK_THROWS_WITH(load_node("hw/nodes/h800-8gpu.json", nullptr, {"gpu.hbm_bandwidth=0TB/s"}),
                    "h800-8gpu.json: gpu.hbm_bandwidth: must be positive");
  CHECK_THROWS_WITH(load_node("hw/nodes/h800-8gpu.json", nullptr, {"gpus_per_node=0"}),
                    "h800-8gpu.json: gpus_per_node: must be at least 1, got 0");
  CHECK_THROWS_WITH(load_node("hw/nodes/h800-8gpu.json", nullptr, {"gpu.hbm_size=1GB"}),
                    Catch::StartsWith("h800-8gpu.json: gpu.hbm_size: unknown key"));
  CHECK_THROWS_WITH(load_node("hw/nodes/h800-8gpu.json", nullptr, {"intra_node.kind=nvlink"}),
                    "h800-8gpu.json: intra_node.kind: \"nvlink\" is not one of: nvswitch, pcie");
}

TEST_CASE("a GPU with SMs taken for communication keeps its HBM and loses compute peak in proportion", "[unit]") {
  const fathom::hw::GpuSpec g = fathom::test::shipped_gpu("h800");
  const fathom::hw::GpuSpec r = g.with_compute_sms(112);
  CHECK(r.sm_count == 112);
  CHECK(r.peak_fp8_dense.value() == Approx(g.peak_fp8_dense.value() * 112.0 / 132.0));
  CHECK(r.peak_bf16_dense.value() == Approx(g.peak_bf16_dense.value() * 112.0 / 132.0));
  CHECK(r.peak_fp32.value() == Approx(g.peak_fp32.value() * 112.0 / 132.0));
  CHECK(r.hbm_bandwidth.value() == g.hbm_bandwidth.value());
  CHECK(r.hbm_capacity.value() == g.hbm_capacity.value());
  CHECK_THROWS_AS(g.with_compute_sms(0), std::invalid_argument);
  CHECK_THROWS_AS(g.with_compute_sms(133), std::invalid_argument);
}

TEST_CASE("Blackwell and H20 files hold the rows of published-figures.md section 6b", "[unit]") {
  const hw::NodeSpec b200 = load_node("hw/nodes/hgx-b200-8gpu.json", nullptr);
  CHECK(b200.gpu.peak_fp4_dense.value() == 9000e12);                // H10, dense
  CHECK(b200.gpu.peak(hw::DType::fp8).value() == 4500e12);          // H10
  CHECK(b200.gpu.peak_bf16_dense.value() == 2250e12);               // H10
  CHECK(b200.gpu.hbm_capacity.value() == 180e9);                    // H11
  CHECK(b200.gpu.hbm_bandwidth.value() == 7.7e12);                  // H11
  CHECK(b200.gpu.nvlink_bandwidth_per_direction.value() == 900e9);  // H12: 1.8 TB/s bidirectional
  CHECK(b200.gpus_per_node == 8);
  CHECK(b200.scaleup_domain_gpus == 8);  // H12: NVLink domain 8

  const hw::NodeSpec gb200 = load_node("hw/nodes/gb200-nvl72-tray.json", nullptr);
  CHECK(gb200.gpu.peak_fp4_dense.value() == 10000e12);  // H13
  CHECK(gb200.gpu.peak_fp8_dense.value() == 5000e12);   // H13
  CHECK(gb200.gpu.hbm_capacity.value() == 186e9);       // H14
  CHECK(gb200.gpu.hbm_bandwidth.value() == 8e12);       // H14
  CHECK(gb200.gpus_per_node == 4);                      // H15: a tray of 4
  CHECK(gb200.scaleup_domain_gpus == 72);               // H15: 18 trays x 4
  CHECK(gb200.scaleout_nic.count == 4);                 // H15: one CX7 per GPU
  CHECK(gb200.scaleout_nic.bandwidth.value() == 50e9);  // 400 Gb/s

  const hw::NodeSpec gb300 = load_node("hw/nodes/gb300-nvl72-tray.json", nullptr);
  CHECK(gb300.gpu.peak_fp4_dense.value() == 15000e12);   // H16
  CHECK(gb300.gpu.hbm_capacity.value() == 279e9);        // H17
  CHECK(gb300.scaleup_domain_gpus == 72);                // H18
  CHECK(gb300.scaleout_nic.bandwidth.value() == 100e9);  // H18: CX8 800 Gb/s

  const hw::GpuSpec h20 = test::shipped_gpu("h20");
  CHECK(h20.peak_bf16_dense.value() == 148e12);  // H21 (UNVERIFIED, assumed)
  CHECK(h20.peak_fp8_dense.value() == 296e12);
  CHECK(h20.peak_fp4_dense.value() == 0);  // Hopper: no FP4 tensor cores
  CHECK(h20.sm_count == 78);               // H22 (UNVERIFIED)
}

TEST_CASE("the scale-up domain defaults to the node and must be whole nodes", "[unit]") {
  CHECK(load_node("hw/nodes/h800-8gpu.json", nullptr).scaleup_domain_gpus == 8);
  CHECK(load_node("hw/nodes/h800-8gpu.json", nullptr).gpu.peak_fp4_dense.value() == 0);
  CHECK_THROWS_WITH(load_node("hw/nodes/gb200-nvl72-tray.json", nullptr, {"scaleup_domain_gpus=70"}),
                    Catch::Contains("scaleup_domain_gpus: 70 is not a whole number of 4-GPU nodes"));
  CHECK_THROWS_WITH(load_node("hw/nodes/gb200-nvl72-tray.json", nullptr, {"scaleup_domain_gpus=2"}),
                    Catch::Contains("not a whole number"));
}
