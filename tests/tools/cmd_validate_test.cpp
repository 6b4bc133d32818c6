// `fathom calibrate validate`: the Markdown page and the JSON form run, and a missing input is one line.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_runner.h"

using fathom::test::is_one_line;
using fathom::test::run_fathom;

TEST_CASE("fathom calibrate validate prints the page and its JSON", "[smoke]") {
  const auto md = run_fathom("calibrate validate");
  REQUIRE(md.exit_code == 0);
  for (const char* family : {"## dense_gemm", "## grouped_gemm_masked", "## mla_decode", "## alltoall_low_latency"}) {
    CHECK(md.out.find(family) != std::string::npos);
  }
  const auto js = run_fathom("calibrate validate --json");
  REQUIRE(js.exit_code == 0);
  const auto j = nlohmann::json::parse(js.out);
  CHECK(j["device"] == "NVIDIA H800 SXM5");
  CHECK(j["groups"].size() == 7);
  CHECK(j["rows"].size() > 300);
}

TEST_CASE("fathom calibrate validate with a missing table is one line, exit 2", "[smoke]") {
  const auto r = run_fathom("calibrate validate --alltoall scenarios/calibration/nope.csv");
  CHECK(r.exit_code == 2);
  CHECK(is_one_line(r.err));
  CHECK(r.err.find("nope.csv") != std::string::npos);
}
