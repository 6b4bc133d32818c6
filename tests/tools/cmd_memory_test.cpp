// `fathom memory` end to end: the shipped scenarios answer their questions, bad input is one line.

#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/cli_runner.h"

using fathom::test::is_one_line;
using fathom::test::run_fathom;

namespace {

nlohmann::json memory_json(const std::string& args) {
  const auto r = run_fathom("memory " + args + " --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("DeepSeek-V3 with a 100K-token request does not fit on one H800", "[smoke]") {
  const auto j = memory_json("scenarios/deepseek-v3-100k-1xh800.json");
  CHECK(j["fits"] == false);
  // 671B parameters in FP8 are about 0.67 TB: far above 80 GB.
  CHECK(j["per_gpu"]["weights_bytes"].get<double>() > 600e9);
  // The KV cache of 100K tokens is exactly 100,000 x 70,272 B (S46).
  CHECK(j["per_gpu"]["kv_cache_bytes"].get<double>() == Approx(100000.0 * 70272.0));
  CHECK(j["max_context_tokens_per_request"] == 0);
  CHECK(j["headroom_bytes"].get<double>() < 0);
}

TEST_CASE("the production decode and prefill layouts fit on H800", "[smoke]") {
  const auto decode = memory_json("scenarios/deepseek-v3-decode-unit-h800.json");
  CHECK(decode["fits"] == true);
  CHECK(decode["routed_experts_on_gpu"] == 2);  // (256 + 32) / 144
  CHECK(decode["layers_on_gpu"] == 61);
  const auto prefill = memory_json("scenarios/deepseek-v3-prefill-unit-h800.json");
  CHECK(prefill["fits"] == true);
  CHECK(prefill["routed_experts_on_gpu"] == 9);  // (256 + 32) / 32
  // More routed experts per GPU means more weight bytes per GPU.
  CHECK(prefill["per_gpu"]["weights_bytes"].get<double>() > decode["per_gpu"]["weights_bytes"].get<double>());
}

TEST_CASE("DeepSeek-V3 does not fit on two RTX 4090", "[smoke]") {
  const auto j = memory_json("scenarios/deepseek-v3-2x4090.json");
  CHECK(j["fits"] == false);
  CHECK(j["gpus"] == 2);
}

TEST_CASE("more requests per GPU never need less memory", "[unit]") {
  double previous = 0;
  for (int requests : {1, 32, 128, 256}) {
    const auto j = memory_json("scenarios/deepseek-v3-decode-unit-h800.json --set memory.requests_per_gpu=" +
                               std::to_string(requests));
    const double total = j["per_gpu"]["total_bytes"].get<double>();
    CHECK(total > previous);
    previous = total;
  }
}

TEST_CASE("memory: bad input is one line on stderr and a non-zero exit", "[unit]") {
  const std::string s = "memory scenarios/deepseek-v3-decode-unit-h800.json ";
  struct Case {
    std::string args;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {s + "--set parallelism.ep=7", "parallelism.ep: 7 does not divide"},
      {s + "--set cluster.node.gpu.hbm_capacity=80Gx", "cluster.node.gpu.hbm_capacity: unknown unit \"Gx\""},
      {s + "--set model.hf_config=models/none.json", "model.hf_config: file"},
      {s + "--set memory.context_tokens=-5", "memory.context_tokens: must be at least 0"},
      {s + "--set memory.contxt_tokens=5", "memory.contxt_tokens: unknown key"},
      {s + "--set model.weights_dtype=int3", "model.weights_dtype: \"int3\" is not one of"},
      {"memory scenarios/does-not-exist.json", "does-not-exist.json: scenario file not found"},
      {"memory scenarios/models/deepseek-v3.config.json", "cluster: required section is missing"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    const auto r = run_fathom(c.args);
    CHECK(r.exit_code == 2);
    CHECK(is_one_line(r.err));
    CHECK_THAT(r.err, Catch::Contains(c.expect));
  }
}

TEST_CASE("memory of a serving scenario: its prefill and decode units", "[smoke]") {
  const auto j = memory_json("scenarios/deepseek-v3-r1-serving-day.json");
  CHECK(j["kind"] == "memory");
  CHECK(j["source_kind"] == "serving");
  CHECK(j["units"] == nlohmann::json::array({"prefill", "decode"}));
  for (const char* unit : {"prefill", "decode"}) {
    INFO(unit);
    const auto& u = j[unit];
    const auto& g = u["per_gpu"];
    // The parts add up to the total.
    CHECK(g["weights_bytes"].get<double>() + g["kv_cache_bytes"].get<double>() + g["activations_bytes"].get<double>() +
              g["workspace_bytes"].get<double>() ==
          Approx(g["total_bytes"].get<double>()));
    CHECK(u["headroom_bytes"].get<double>() ==
          Approx(g["hbm_capacity_bytes"].get<double>() - g["total_bytes"].get<double>()));
    CHECK(u["fits"] == (u["headroom_bytes"].get<double>() >= 0));
  }
  // Fewer GPUs per prefill unit: more routed experts per GPU.
  CHECK(j["prefill"]["routed_experts_on_gpu"].get<int>() > j["decode"]["routed_experts_on_gpu"].get<int>());
  // The decode batch is the one the SLO gives, within what fits.
  CHECK(j["decode"]["request"]["requests_per_gpu"].get<int>() >= 1);
  CHECK(j["decode"]["request"]["requests_per_gpu"].get<int>() <= j["decode"]["max_requests_at_context"].get<int>());
  CHECK(j["fits"] == (j["prefill"]["fits"].get<bool>() && j["decode"]["fits"].get<bool>()));
  CHECK(j["parts"].size() == 20);  // 10 parts per unit
}

TEST_CASE("memory of a training scenario: the worst pipeline rank, as fathom run reports it", "[smoke]") {
  const auto m = memory_json("scenarios/deepseek-v3-pretrain-2048xh800.json");
  const auto r = run_fathom("run scenarios/deepseek-v3-pretrain-2048xh800.json --json");
  REQUIRE(r.exit_code == 0);
  const auto run = nlohmann::json::parse(r.out);
  CHECK(m["source_kind"] == "training");
  CHECK(m["worst_rank"] == run["memory"]["worst_rank"]);
  CHECK(m["per_gpu"]["total_bytes"].get<double>() == run["memory"]["worst_rank_total_bytes"].get<double>());
  CHECK(m["fits"] == run["memory"]["fits"]);
  CHECK(m["headroom_bytes"].get<double>() == run["memory"]["headroom_bytes"].get<double>());
  double parts = 0;
  for (const auto& p : m["parts"]) parts += p["bytes"].get<double>();
  CHECK(parts == Approx(m["per_gpu"]["total_bytes"].get<double>()));
}

TEST_CASE("memory renders as a report: text, --report files, a storage scenario refused", "[smoke]") {
  const auto text = run_fathom("memory scenarios/deepseek-v3-2x4090.json");
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("DOES NOT FIT"));
  CHECK_THAT(text.out, Catch::Contains("routed expert weights"));
  const std::string dir = "/tmp/fathom_memory_report_" + std::to_string(::getpid());
  const auto r = run_fathom("memory scenarios/deepseek-v3-100k-1xh800.json --report " + dir);
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"report.json", "parts.csv", "summary.md", "report.html"}) {
    INFO(f);
    CHECK(std::filesystem::exists(std::filesystem::path(dir) / f));
  }
  std::filesystem::remove_all(dir);
  const auto storage = run_fathom("memory scenarios/3fs-peak-read-180-nodes.json");
  CHECK(storage.exit_code == 2);
  CHECK(is_one_line(storage.err));
  CHECK_THAT(storage.err, Catch::Contains("kind: fathom memory sizes"));
}
