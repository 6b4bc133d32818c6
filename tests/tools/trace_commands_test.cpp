// `fathom calibrate trace` and `fathom compare-trace` end to end on a generated Kineto trace: the command
// lines, their files and their JSON (the pieces are tested in tests/calib/trace_test.cpp).

#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "hw/calibration.h"
#include "support/cli_runner.h"
#include "support/kineto_trace_writer.h"

using fathom::test::KinetoTraceWriter;
using fathom::test::run_fathom;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  const fs::path dir = fs::temp_directory_path() / ("fathom-trace-cli-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

// One decode step on an H800, twice: attention, GEMMs (with shapes), experts, DeepEP, elementwise and a
// kernel no pattern knows.
fs::path decode_trace() {
  KinetoTraceWriter w("NVIDIA H800");
  for (int step = 0; step < 2; ++step) {
    const double o = 2000.0 * step;
    w.step(step, o, 2000);
    w.mm("nvjet_tst_128x256_64x4_1x2_h_bz_coopA_NNT", 128, 2112, 7168, o, 30);
    w.kernel("void flash::flash_fwd_splitkv_mla_kernel<Flash_fwd_kernel_traits_mla<576, 64, 64, 8>>", o + 30, 200);
    w.kernel("void deep_ep::internode_ll::dispatch<false, 7168>", o + 230, 150, 20);
    w.kernel("void deep_gemm::fp8_gemm_kernel<GemmType::GroupedMasked>", o + 380, 300);
    w.kernel("void deep_ep::internode_ll::combine<false, 7168>", o + 680, 150, 20);
    w.kernel("void rms_norm_kernel<c10::BFloat16>", o + 830, 10);
    w.kernel("my_custom_fused_thing", o + 840, 5);
  }
  const fs::path file = temp_dir() / "decode.json";
  w.write(file);
  return file;
}

}  // namespace

TEST_CASE("calibrate trace: classes, the unclassified kernel and a loadable calibration file", "[tools][trace]") {
  const fs::path trace = decode_trace();
  const fs::path out = temp_dir() / "cal.json";
  const auto r = run_fathom("calibrate trace '" + trace.string() + "' --base scenarios/calibration/h800.json --out '" +
                            out.string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("decode.json: 14 GPU events on NVIDIA H800 (1 GPU), 2 profiler steps") != std::string::npos);
  CHECK(r.out.find("mla_decode") != std::string::npos);
  CHECK(r.out.find("my_custom_fused_thing") != std::string::npos);                  // listed, not dropped
  CHECK(r.out.find("not fitted: decode.json@NVIDIA H800#0") != std::string::npos);  // one shape: too few rows
  const fathom::hw::Calibration cal = fathom::hw::load_calibration(out);
  CHECK(cal.device == "NVIDIA H800");

  const auto j = run_fathom("calibrate trace '" + trace.string() + "' --json");
  REQUIRE(j.exit_code == 0);
  const nlohmann::json doc = nlohmann::json::parse(j.out);
  CHECK(doc["unclassified"][0]["name"] == "my_custom_fused_thing");
  CHECK(doc["unclassified"][0]["kernels"] == 2);
  CHECK(doc["unclassified"][0]["total_s"].get<double>() == Approx(10e-6));
}

TEST_CASE("compare-trace: per family measured and predicted, exposed communication, both timelines", "[tools][trace]") {
  const fs::path trace = decode_trace();
  const auto r =
      run_fathom("compare-trace '" + trace.string() + "' scenarios/unit/deepseek-v3-decode-ep144-h800.json --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const nlohmann::json d = nlohmann::json::parse(r.out);
  CHECK(d["steps"].get<double>() == 2.0);
  // Dispatch 230-380 and combine 680-830 us run alone: 300 us exposed per step.
  CHECK(d["measured"]["exposed_communication_s"].get<double>() == Approx(300e-6));
  CHECK(d["measured"]["communication_s"].get<double>() == Approx(300e-6));
  CHECK(d["predicted"]["step_s"].get<double>() > 0);
  bool mla = false;
  for (const auto& f : d["families"]) {
    if (f["name"] != "mla_decode") continue;
    mla = true;
    CHECK(f["measured_s"].get<double>() == Approx(200e-6));
    CHECK(f["predicted_s"].get<double>() > 0);
    CHECK(f["predicted_over_measured"].get<double>() ==
          Approx(f["predicted_s"].get<double>() / f["measured_s"].get<double>()));
  }
  CHECK(mla);

  const fs::path dir = temp_dir() / "report";
  const auto rep = run_fathom("compare-trace '" + trace.string() +
                              "' scenarios/unit/deepseek-v3-decode-ep144-h800.json --report '" + dir.string() + "'");
  INFO(rep.err);
  REQUIRE(rep.exit_code == 0);
  CHECK(rep.out.find("predicted / measured step") != std::string::npos);
  CHECK(fs::exists(dir / "report.html"));
  CHECK(fs::exists(dir / "families.csv"));
  const nlohmann::json chrome = nlohmann::json::parse(fathom::test::read_all((dir / "trace.json").string()));
  CHECK(chrome.dump().find("predicted (fathom)") != std::string::npos);
  CHECK(chrome.dump().find("measured (trace)") != std::string::npos);
}
