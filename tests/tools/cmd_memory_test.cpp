// `fathom memory` end to end: the shipped scenarios answer their questions, bad input is one line.

#include <catch2/catch.hpp>

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
