// `fathom compare`: shared headline metrics with B / A, per-side overrides, and one-line errors.

#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_runner.h"

using fathom::test::is_one_line;
using fathom::test::run_fathom;

TEST_CASE("fathom compare: B / A of every shared headline metric, with per-side overrides", "[smoke]") {
  const std::string unit = "scenarios/unit/deepseek-v3-decode-ep144-h800.json";
  const auto same = run_fathom("compare " + unit + " " + unit + " --json");
  REQUIRE(same.exit_code == 0);
  const auto parsed = nlohmann::json::parse(same.out);  // kept: a range-for over a temporary's member dangles
  for (const auto& row : parsed["comparison"]) {
    if (row["a"].get<double>() != 0) CHECK(row["ratio"].get<double>() == 1.0);
  }
  const auto slower = run_fathom("compare " + unit + " " + unit + " --set-b unit.overhead_per_forward=10ms --json");
  REQUIRE(slower.exit_code == 0);
  const auto j = nlohmann::json::parse(slower.out);
  REQUIRE(j["comparison"][0]["path"] == "/step_s");
  CHECK(j["comparison"][0]["b"].get<double>() - j["comparison"][0]["a"].get<double>() == Approx(0.008));
}

TEST_CASE("fathom compare: different kinds are one line, exit 2, storage compares too", "[smoke]") {
  auto r = run_fathom(
      "compare scenarios/unit/deepseek-v3-decode-ep144-h800.json "
      "scenarios/unit/deepseek-v3-training-chunk-ep64-h800.json");
  CHECK(r.exit_code == 0);  // both unit runs
  r = run_fathom(
      "compare scenarios/unit/deepseek-v3-decode-ep144-h800.json scenarios/deepseek-v3-pretrain-2048xh800.json");
  CHECK(r.exit_code == 2);
  CHECK(is_one_line(r.err));
  CHECK(r.err.find("compare runs of one kind") != std::string::npos);
  r = run_fathom(
      "compare scenarios/3fs-peak-read-180-nodes.json scenarios/3fs-peak-read-180-nodes.json --set-b "
      "storage.cluster.storage_nodes=90 --json");
  REQUIRE(r.exit_code == 0);  // storage builds a report too
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["comparison"][0]["path"] == "/storage/read_bytes_per_s");
  CHECK(j["comparison"][0]["ratio"].get<double>() < 1.0);
}

TEST_CASE("fathom compare: a scenario outside the repository finds its includes in the library, as run does",
          "[smoke]") {
  // A what-if written elsewhere names library files by library paths (docs/scenarios.md): `run` resolves them,
  // and so must `compare` (it loaded without the library before).
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("fathom_compare_library_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path mine = dir / "what-if.json";
  const std::string unit = "scenarios/unit/deepseek-v3-decode-ep144-h800.json";
  nlohmann::json what_if = nlohmann::json::parse(std::ifstream(std::string(FATHOM_SOURCE_DIR) + "/" + unit));
  what_if["calibration"] = "calibration/h800.json";  // was "../calibration/h800.json", beside scenarios/unit/
  what_if["cluster"]["node"]["$include"] = "hw/nodes/h800-8gpu.json";
  what_if["model"]["hf_config"] = "models/deepseek-v3.config.json";
  what_if["unit"]["overhead_per_forward"] = "10ms";
  std::ofstream(mine) << what_if.dump();
  REQUIRE(run_fathom("run " + mine.string() + " --json").exit_code == 0);
  const auto r = run_fathom("compare " + unit + " " + mine.string() + " --json");
  std::filesystem::remove_all(dir);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["comparison"][0]["path"] == "/step_s");
  CHECK(j["comparison"][0]["b"].get<double>() - j["comparison"][0]["a"].get<double>() == Approx(0.008));
}
