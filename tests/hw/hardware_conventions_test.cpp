// Every shipped GPU file (scenarios/hw/gpus/*.json) follows the same conventions (docs/scenarios.md,
// "Conventions of the GPU files"): dense tensor-core peaks, FP8 twice BF16 where the tensor cores run FP8,
// the Hopper BF16 peak equal to SMs x boost clock x 4096 FLOP per clock, NVLink and PCIe written
// bidirectional (read per direction), and the memory capacity as the device reports it where that is
// published, otherwise the datasheet figure in decimal GB. Each node file's achievable link bandwidth is
// below its GPU's per-direction peak.

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>

#include "hw/node_spec.h"
#include "sim/scenario_document.h"
#include "support/shipped_hardware.h"

using namespace fathom;

namespace {

const std::filesystem::path kHw = std::filesystem::path(FATHOM_SOURCE_DIR) / "scenarios" / "hw";

// The datasheet memory of each shipped GPU, in the datasheet's "GB" (published-figures.md row, or the
// spec sheet the file's own source names). A new GPU file must add its line here.
const std::map<std::string, double> kDatasheetGb = {
    {"h800", 80},     // H02
    {"h100", 80},     // H06
    {"h200", 141},    // H07
    {"rtx4090", 24},  // NVIDIA spec sheet (assumed in the file)
    {"b200", 180},    // H11
    {"gb200", 186},   // H14
    {"gb300", 279},   // H17
    {"h20", 96},      // H21 (UNVERIFIED)
};

// Hopper: 4096 dense BF16 FLOP per SM per clock (H03/H06: 132 SMs x 1830 MHz x 4096 = 989.4 TFLOPS).
constexpr double kHopperBf16FlopPerSmClock = 4096;

bool is_hopper(const std::string& stem) { return stem == "h800" || stem == "h100" || stem == "h200"; }

}  // namespace

TEST_CASE("every shipped GPU file follows the conventions of the GPU files", "[unit]") {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kHw / "gpus")) {
    if (entry.path().extension() != ".json") continue;
    const std::string stem = entry.path().stem().string();
    INFO(stem);
    ++files;
    const hw::GpuSpec g = test::shipped_gpu(stem);
    REQUIRE(kDatasheetGb.count(stem) == 1);  // a new GPU file states its datasheet memory above
    const double gb = kDatasheetGb.at(stem);
    // Capacity: the device-reported size lies between the datasheet's GB read decimally and read as GiB;
    // without a published device figure the file takes the decimal reading (the low end).
    CHECK(g.hbm_capacity.value() >= gb * 1e9);
    CHECK(g.hbm_capacity.value() <= gb * 1024.0 * 1024.0 * 1024.0);
    // Dense peaks: FP8 is twice BF16 (Hopper: V3TR §3.3.1, H04; Ada with FP32 accumulation), to the
    // rounding of the published figures (four significant digits).
    CHECK(g.peak_fp8_dense.value() == Approx(2.0 * g.peak_bf16_dense.value()).epsilon(1e-3));
    CHECK(g.peak_fp32.value() < g.peak_bf16_dense.value());
    // FP4 (Blackwell only): 2x FP8 on B200/GB200 (H10, H13), 3x on Blackwell Ultra (H16); 0 elsewhere.
    if (g.peak_fp4_dense.value() > 0) {
      CHECK(g.peak_fp4_dense.value() >= 2.0 * g.peak_fp8_dense.value());
      CHECK(g.peak_fp4_dense.value() <= 3.0 * g.peak_fp8_dense.value());
    }
    if (is_hopper(stem)) {
      CHECK(g.sm_count == 132);
      CHECK(g.peak_bf16_dense.value() ==
            Approx(double(g.sm_count) * g.boost_clock.value() * kHopperBf16FlopPerSmClock).epsilon(1e-3));
    }
  }
  CHECK(files == int(kDatasheetGb.size()));
}

TEST_CASE("the H800 and the H100 carry the same HBM part and report the same capacity", "[unit]") {
  const hw::GpuSpec h800 = test::shipped_gpu("h800"), h100 = test::shipped_gpu("h100"),
                    h200 = test::shipped_gpu("h200");
  CHECK(h800.hbm_capacity.value() == 84943110144.0);  // H02: 79.1 GiB as the device reports it
  CHECK(h100.hbm_capacity.value() == h800.hbm_capacity.value());
  CHECK(h100.hbm_bandwidth.value() == h800.hbm_bandwidth.value());
  CHECK(h200.hbm_capacity.value() == 141e9);  // H07, decimal: no device-reported figure published
  // Same compute (H06, H07; ISCA §4.1: the H800 differs from the H100 only in FP64 and NVLink).
  CHECK(h100.peak_fp8_dense.value() == h800.peak_fp8_dense.value());
  CHECK(h200.peak_bf16_dense.value() == h100.peak_bf16_dense.value());
}

TEST_CASE("links are read per direction and every node's achievable bandwidth is below its GPU's peak", "[unit]") {
  CHECK(test::shipped_gpu("h800").nvlink_bandwidth_per_direction.value() == 200e9);  // H05: 400 bidirectional
  CHECK(test::shipped_gpu("h100").nvlink_bandwidth_per_direction.value() == 450e9);  // H06: 900 bidirectional
  CHECK(test::shipped_gpu("h200").nvlink_bandwidth_per_direction.value() == 450e9);  // H07
  int nodes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kHw / "nodes")) {
    if (entry.path().extension() != ".json") continue;
    INFO(entry.path().filename().string());
    ++nodes;
    const ScenarioDocument doc = load_scenario(entry.path().string());
    const hw::NodeSpec n = hw::read_node_spec(SpecReader(doc.root, doc.label, ""));
    const double link = n.intra_fabric == hw::IntraNodeFabric::nvswitch ? n.gpu.nvlink_bandwidth_per_direction.value()
                                                                        : n.gpu.pcie_bandwidth_per_direction.value();
    CHECK(n.intra_achievable_bandwidth.value() > 0);
    CHECK(n.intra_achievable_bandwidth.value() <= link);
    if (n.scaleout_nic.count > 0)
      CHECK(n.scaleout_nic.achievable_bandwidth.value() <= n.scaleout_nic.bandwidth.value());
  }
  CHECK(nodes >= 4);
}
