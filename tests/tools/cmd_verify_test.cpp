// `fathom verify` end to end: the test claims file's verdicts through the binary, bands, the report files,
// and the shipped claims file runs.

#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"

using fathom::test::is_one_line;
using fathom::test::run_fathom;

namespace {

const char* kTestClaims = "tests/tools/claims/verify-test.json";

std::map<std::string, nlohmann::json> by_id(const nlohmann::json& j) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& c : j["claims"]) out[c["id"].get<std::string>()] = c;
  return out;
}

nlohmann::json verify_json(const std::string& args) {
  const auto r = run_fathom("verify " + args + " --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("verify: the test claims get the verdicts their arithmetic gives", "[smoke]") {
  const nlohmann::json j = verify_json(kTestClaims);
  auto c = by_id(j);
  REQUIRE(c.size() == 7);
  CHECK(c["kv-exact"]["verdict"] == "supported");
  // 100,000 x 70,272 B in GB, as claimed.
  CHECK(c["kv-exact"]["simulated"].get<double>() == Approx(7.0272).epsilon(1e-12));
  CHECK(c["kv-exact"]["ratio"].get<double>() == Approx(1.0).epsilon(1e-12));
  CHECK(c["one-gpu-80gb"]["verdict"] == "contradicted");
  CHECK(c["one-gpu-80gb"]["simulated"].get<double>() > 600);  // GB: the FP8 weights alone
  CHECK(c["one-gpu-80gb"]["ratio"].get<double>() < 0.15);
  CHECK(c["inline-1k"]["verdict"] == "supported");
  CHECK(c["inline-1k"]["simulated"].get<double>() == Approx(70272.0).epsilon(1e-12));
  CHECK(c["decode-fits"]["verdict"] == "supported");
  CHECK(c["decode-fits"]["simulated"].get<double>() == 1);
  CHECK(c["decode-step"]["verdict"] == "supported");
  CHECK(c["decode-step"]["metric_unit"] == "s");  // from the unit report's metric
  CHECK(c["no-such-metric"]["verdict"] == "not_checkable");
  CHECK_THAT(c["no-such-metric"]["reason"].get<std::string>(), Catch::Contains("/mfu"));
  CHECK(c["refused"]["verdict"] == "not_checkable");
  CHECK_THAT(c["refused"]["reason"].get<std::string>(),
             Catch::Contains("refused") && Catch::Contains("slo.tokens_per_s_per_request"));
  CHECK(j["supported"] == 4);
  CHECK(j["contradicted"] == 1);
  CHECK(j["not_checkable"] == 2);
}

TEST_CASE("verify --bands: a claim inside the band, drivers named, the same bytes whatever the threads", "[smoke]") {
  const auto a = run_fathom(std::string("verify ") + kTestClaims + " --bands 8 --seed 3 --threads 1 --json");
  const auto b = run_fathom(std::string("verify ") + kTestClaims + " --bands 8 --seed 3 --threads 2 --json");
  REQUIRE(a.exit_code == 0);
  CHECK(a.out == b.out);
  const nlohmann::json j = nlohmann::json::parse(a.out);
  auto c = by_id(j);
  const nlohmann::json& step = c["decode-step"];
  REQUIRE(step.contains("p5"));
  CHECK(step["p5"].get<double>() <= step["p50"].get<double>());
  CHECK(step["p50"].get<double>() <= step["p95"].get<double>());
  CHECK(step["p95"].get<double>() > step["p5"].get<double>());  // the decode unit's ranges move its step
  CHECK_FALSE(step["drivers"].empty());
  CHECK(j["bands"]["samples"] == 8);
  // A memory scenario has no ranged values: no band, said in the reason.
  CHECK_FALSE(c["kv-exact"].contains("p5"));
  CHECK_THAT(c["kv-exact"]["reason"].get<std::string>(), Catch::Contains("no band"));
}

TEST_CASE("verify: text, and --report writes the claims table and page", "[smoke]") {
  const std::string dir = "/tmp/fathom_verify_report_" + std::to_string(::getpid());
  const auto r = run_fathom(std::string("verify ") + kTestClaims + " --report " + dir);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("4 supported, 1 contradicted, 2 not checkable"));
  CHECK_THAT(r.out, Catch::Contains("kv-exact"));
  for (const char* f : {"report.json", "claims.csv", "summary.md", "report.html"}) {
    INFO(f);
    CHECK(std::filesystem::exists(std::filesystem::path(dir) / f));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("verify: the shipped open-source-week claims run, each with a verdict", "[smoke]") {
  const nlohmann::json j = verify_json("scenarios/claims/open-source-week.json");
  auto c = by_id(j);
  REQUIRE(c.size() == 5);
  for (const char* id : {"A1", "A2", "A4", "A5"}) {
    INFO(id << ": " << c[id]["reason"]);
    CHECK(c[id]["verdict"] != "not_checkable");
    CHECK(c[id]["simulated"].is_number());
  }
  CHECK(c["A3"]["verdict"] == "not_checkable");
  // A4: the FP8 weights alone are far above 30 GB; A5: DeepSeek-V3 does not fit on two RTX 4090.
  CHECK(c["A4"]["verdict"] == "contradicted");
  CHECK(c["A5"]["verdict"] == "contradicted");
}

TEST_CASE("verify: bad flags are one line", "[unit]") {
  for (const std::string& args :
       {std::string("verify ") + kTestClaims + " --bands 1", std::string("verify ") + kTestClaims + " --threads -1",
        std::string("verify tests/tools/claims/none.json")}) {
    INFO(args);
    const auto r = run_fathom(args);
    CHECK(r.exit_code == 2);
    CHECK(is_one_line(r.err));
    CHECK(r.out.empty());
  }
}
