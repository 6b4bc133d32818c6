// `fathom calibrate trace` and `fathom compare-trace` end to end on a generated Kineto trace: the command
// lines, their files and their JSON (the pieces are tested in tests/calib/trace_test.cpp).

#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
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

// The CPU dry run of calib/gpu-session.sh: a real CPU-only trace (tests/calib/trace-torch1.13-cpu.json) is
// refused by both commands with one line and exit 2, never an empty calibration with exit 0.
TEST_CASE("calibrate trace and compare-trace: a CPU-only trace is one error line, exit 2", "[tools][trace]") {
  const fs::path out = temp_dir() / "cpu-cal.json";
  const std::string want =
      "fathom: error: trace-torch1.13-cpu.json: traceEvents: no GPU events (\"ph\": \"X\", \"cat\": \"kernel\") "
      "among its 25 events: a CPU-only trace has no kernel times; profile on the GPU with ProfilerActivity.CUDA\n";
  const auto c = run_fathom(
      "calibrate trace tests/calib/trace-torch1.13-cpu.json --gpu scenarios/hw/gpus/h200.json "
      "--out '" +
      out.string() + "'");
  CHECK(c.exit_code == 2);
  CHECK(c.err == want);
  CHECK(c.out.empty());
  CHECK_FALSE(fs::exists(out));
  const auto t = run_fathom("compare-trace tests/calib/trace-torch1.13-cpu.json calib/profile_moe_layer.unit.json");
  CHECK(t.exit_code == 2);
  CHECK(t.err == want);
}

// The unit scenario the GPU session compares its trace with (docs/calibration-gpu.md) runs.
TEST_CASE("calib/profile_moe_layer.unit.json: the profiled layer's prediction runs", "[tools][trace]") {
  const auto r = run_fathom("run calib/profile_moe_layer.unit.json --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  CHECK(doc["phase"] == "training");
  CHECK(doc["ep"] == 64);
}

// calib/gpu-session.sh's control flow without a GPU (docs/calibration-gpu.md, "The GPU session"): part 1
// (the calibration) fails at once with one line, part 2 (the profile) still runs, here a stub python that
// says "no CUDA" and writes a file as calib/profile_moe_layer.py would; the exit status says one part failed.
TEST_CASE("calib/gpu-session.sh: without a GPU the calibration fails with one line and the profile still runs",
          "[tools][trace]") {
  if (fathom::test::run_command("nvidia-smi -L").exit_code == 0) {
    WARN("skipped: a GPU is visible, so the session would run the real calibration");
    return;
  }
  const fs::path dir = temp_dir() / "session";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path stub = temp_dir() / "python-stub.sh";
  {
    std::ofstream s(stub);
    s << "#!/bin/sh\n[ \"$1\" = -c ] && exit 1\nwhile [ $# -gt 0 ]; do [ \"$1\" = --out ] && touch "
         "\"$2/moe-layer-trace.json\"; "
         "shift; done\nexit 0\n";
  }
  fs::permissions(stub, fs::perms::owner_all);
  const auto r = fathom::test::run_command("OUT=" + fathom::test::shell_quoted(dir.string()) +
                                           " PYTHON=" + fathom::test::shell_quoted(stub.string()) +
                                           " bash calib/gpu-session.sh --profile-on-cpu");
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("run-on-gpu: error: ") != std::string::npos);
  const std::string log = fathom::test::read_all((dir / "session.log").string());
  INFO(log);
  CHECK(log.find("gpu-session: part 1: exit 1") != std::string::npos);
  CHECK(log.find("--device cpu --scale-down 16") != std::string::npos);
  CHECK(log.find("gpu-session: part 2: exit 0") != std::string::npos);
  CHECK(fs::exists(dir / "moe-layer-trace.json"));
  CHECK(fathom::test::run_command("bash calib/gpu-session.sh --bogus").exit_code == 2);
}
