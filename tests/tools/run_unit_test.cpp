// `fathom run` on unit scenarios (docs/unit.md): the JSON contract, the text table, fathom memory on a
// unit scenario, and one-line errors naming the JSON path with exit code 2.

#include <catch2/catch.hpp>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_runner.h"

using fathom::test::is_one_line;
using fathom::test::run_fathom;

namespace {
const std::string kDecode = "run scenarios/unit/deepseek-v3-decode-ep144-h800.json ";
const std::string kPrefill = "run scenarios/unit/deepseek-v3-prefill-ep32-h800.json ";
}  // namespace

TEST_CASE("fathom run unit prints the documented keys", "[smoke]") {
  for (const std::string& run :
       {kDecode, kPrefill, std::string("run scenarios/unit/deepseek-v3-training-chunk-ep64-h800.json ")}) {
    const auto r = run_fathom(run + "--json");
    INFO(run << r.err);
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["kind"] == "unit");
    for (const char* key : {"step_s", "tokens_per_s_per_gpu", "tokens_per_s_per_node", "tokens_per_step_per_gpu",
                            "compute_s", "communication_s", "exposed_communication_s", "expert_imbalance"}) {
      CHECK(j[key].is_number());
    }
    REQUIRE(j["breakdown"].size() >= 4);
    double exposed = 0;
    for (const auto& row : j["breakdown"]) {
      for (const char* key : {"time_s", "exposed_s", "flops", "bytes", "achieved_tflops"}) CHECK(row[key].is_number());
      const std::string bound = row["bound"];
      CHECK((bound == "compute" || bound == "memory" || bound == "network" || bound == "latency"));
      exposed += row["exposed_s"].get<double>();
    }
    CHECK(exposed == Approx(j["step_s"].get<double>()).epsilon(1e-9));
    CHECK(j["assumptions"].size() > 0);
    CHECK(j["scenario"]["kind"] == "unit");
  }
}

TEST_CASE("fathom run unit without --json prints a breakdown table", "[smoke]") {
  const auto r = run_fathom(kDecode);
  REQUIRE(r.exit_code == 0);
  for (const char* text : {"decode unit, EP144", "mla_decode", "dispatch", "combine", "overhead", "step"}) {
    CHECK(r.out.find(text) != std::string::npos);
  }
}

TEST_CASE("fathom memory reads a unit scenario at its batch", "[smoke]") {
  const auto r = run_fathom("memory scenarios/unit/deepseek-v3-decode-ep144-h800.json --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["fits"] == true);
  CHECK(j["routed_experts_on_gpu"] == 2);  // S11: (256 + 32) / 144
}

TEST_CASE("bad unit inputs are one line naming the JSON path, exit 2", "[smoke]") {
  struct Case {
    std::string args, path;
  };
  for (const Case& c : std::vector<Case>{
           {kDecode + "--set unit={}", "unit.phase"},
           {kDecode + "--set unit.phase=serve", "unit.phase"},
           {kDecode + "--set unit.batch_per_gpu=0", "unit.batch_per_gpu"},
           {kDecode + "--set parallelism.ep=7", "parallelism.ep"},
           {kDecode + "--set parallelism.tp=3", "parallelism.tp: 3 does not divide"},
           {kDecode + "--set parallelism.tp=2", "parallelism.dp: 144 must equal ep / tp (144 / 2)"},
           {kPrefill + "--set unit.batch_per_gpu=8", "unit.batch_per_gpu"},
           {kPrefill + "--set unit.cached_prefix_tokens=4096", "unit.cached_prefix_tokens"},
           {kPrefill + "--set unit.communication.communication_sms=132", "unit.communication.communication_sms"},
           {kDecode + "--set cluster.nodes=37", "cluster.nodes"},  // 296 GPUs: not whole EP144 groups
       }) {
    const auto r = run_fathom(c.args);
    INFO(c.args << "\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK(is_one_line(r.err));
    CHECK(r.err.find(c.path) != std::string::npos);
  }
}

TEST_CASE("a unit or serving run on another GPU's kernel calibration says so, with the families", "[smoke]") {
  const auto h100 = run_fathom("run scenarios/unit/deepseek-v3-decode-ep144-h100.json --json");
  REQUIRE(h100.exit_code == 0);
  const auto j = nlohmann::json::parse(h100.out);
  REQUIRE(j["calibration_mismatch"].is_object());
  CHECK(j["calibration_mismatch"]["calibration_device"] == "NVIDIA H800 SXM5");
  const auto& families = j["calibration_mismatch"]["families"];
  CHECK(std::find(families.begin(), families.end(), "dense_gemm") != families.end());
  CHECK(std::find(families.begin(), families.end(), "elementwise") == families.end());  // assumed only
  CHECK(run_fathom("run scenarios/unit/deepseek-v3-decode-ep144-h100.json").out.find("WARNING: Kernel calibration") !=
        std::string::npos);
  const auto h800 = run_fathom(kDecode + "--json");
  CHECK(nlohmann::json::parse(h800.out)["calibration_mismatch"].is_null());
  const auto day = run_fathom("run scenarios/deepseek-v3-r1-serving-day.json --json");
  CHECK(nlohmann::json::parse(day.out)["calibration_mismatch"].is_null());
}
