// `fathom run <unit> --bands`: the JSON shape, byte-identical output for any thread count, and one-line
// errors for bad counts and kinds not yet ported.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_runner.h"

using fathom::test::is_one_line;
using fathom::test::run_fathom;

namespace {
const std::string kDecode = "run scenarios/unit/deepseek-v3-decode-ep144-h800.json ";
}  // namespace

TEST_CASE("fathom run --bands: percentiles and drivers of every headline metric, same bytes for any thread count",
          "[smoke]") {
  const auto one = run_fathom(kDecode + "--bands 16 --threads 1 --json");
  REQUIRE(one.exit_code == 0);
  const auto two = run_fathom(kDecode + "--bands 16 --threads 2 --json");
  CHECK(two.out == one.out);
  const auto j = nlohmann::json::parse(one.out);
  CHECK(j["samples"] == 16);
  CHECK(j["ranges"].size() == 10);  // zipf skew, overhead, MTP acceptance, 7 kernel time factors
  int inert = 0;
  for (const auto& r : j["ranges"]) inert += r["inert"].get<bool>();
  CHECK(inert == 3);  // decode runs no contiguous grouped GEMM, prefill or backward attention
  for (const auto& b : j["bands"]) {
    INFO(b["metric"]);
    CHECK(b["p5"].get<double>() <= b["p50"].get<double>());
    CHECK(b["p50"].get<double>() <= b["p95"].get<double>());
  }
  CHECK(j["bands"][0]["metric"] == "/step_s");
  CHECK(j["bands"][0]["drivers"].size() >= 2);
  CHECK(j["point"]["step_s"].is_number());
}

TEST_CASE("fathom run --bands on the GraySort task job: SimGrid runs samples on one thread", "[smoke]") {
  // --threads 2 is overridden for storage (SimGrid is a process singleton); two threads crashed it.
  const auto r = run_fathom("run scenarios/3fs-graysort-25-nodes.json --bands 2 --threads 2 --json");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["bands"][0]["metric"] == "/storage/job_time_s");
  CHECK(j["bands"][0]["point"].get<double>() > 0);
}

TEST_CASE("fathom run --bands: bad counts and scenarios without ranges are one line, exit 2", "[smoke]") {
  auto r = run_fathom(kDecode + "--bands 1");
  CHECK(r.exit_code == 2);
  CHECK(is_one_line(r.err));
  CHECK(r.err.find("--bands 1") != std::string::npos);
  // The storage scenario's one ranged value (the USRBIO operation rate) replaced by a plain one: none left.
  r = run_fathom("run scenarios/3fs-peak-read-180-nodes.json --bands 8 --set storage.filesystem.usrbio_ops_per_s=2e6");
  CHECK(r.exit_code == 2);
  CHECK(is_one_line(r.err));
  CHECK(r.err.find("no value carries a range") != std::string::npos);
  // Plain overrides replace the ranged objects: nothing is left to sample.
  r = run_fathom(
      "run scenarios/unit/deepseek-v3-training-chunk-ep64-h800.json --bands 4 --set "
      "'kernel_time_factors={}' --set expert_load.zipf_exponent=0.1");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no value carries a range") != std::string::npos);
}
