// `fathom model`: JSON keys and values for DeepSeek-V3, the table, and one-line errors.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"

using fathom::test::is_one_line;
using fathom::test::run_fathom;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = "/tmp/fathom_model_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("fathom model --json prints DeepSeek-V3 counts and per-token FLOPs", "[unit]") {
  const auto r = run_fathom("model scenarios/models/deepseek-v3.config.json --json");
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"params_total", "params_activated_per_token", "params_mtp", "params_embedding", "params_head",
                          "params_per_expert", "kv_cache_bytes_per_token", "weight_bytes", "flops_per_token_prefill",
                          "flops_per_token_decode", "flops_per_token_training", "layers"}) {
    CHECK(j.contains(key));
  }
  // Hand arithmetic in tests/models/param_counts_test.cpp.
  CHECK(j["params_total"].get<int64_t>() == 671026419200);
  CHECK(j["params_activated_per_token"].get<int64_t>() == 37552297472);
  CHECK(j["params_mtp"].get<int64_t>() == 11610068224);
  CHECK(j["params_per_expert"].get<int64_t>() == 44040192);
  CHECK(j["kv_cache_bytes_per_token"].get<double>() == 70272.0);  // (512 + 64) * 61 * 2
  CHECK(j["weight_bytes"]["bf16"].get<double>() == 2.0 * 671026419200);
  CHECK(j["seq_len"].get<int64_t>() == 4096);
  REQUIRE(j["layers"].size() == 3);
  CHECK(j["layers"][0]["kind"] == "dense");
  CHECK(j["layers"][0]["count"].get<int64_t>() == 3);
  CHECK(j["layers"][1]["kind"] == "moe");
  CHECK(j["layers"][1]["count"].get<int64_t>() == 58);
  CHECK(j["layers"][2]["kind"] == "mtp");
  for (const auto& layer : j["layers"]) {
    for (const char* key : {"params", "flops_per_token_prefill", "flops_per_token_decode", "flops_per_token_training",
                            "kv_cache_bytes_per_token"}) {
      CHECK(layer.contains(key));
    }
  }
  // Longer prefill: more attention per token.
  const auto longer = nlohmann::json::parse(
      run_fathom("model scenarios/models/deepseek-v3.config.json --json --seq-len 8192 --context 100").out);
  CHECK(longer["flops_per_token_prefill"].get<double>() > j["flops_per_token_prefill"].get<double>());
  CHECK(longer["flops_per_token_decode"].get<double>() < j["flops_per_token_decode"].get<double>());
}

TEST_CASE("fathom model prints a table without --json", "[unit]") {
  const auto r = run_fathom("model scenarios/models/qwen3-8b.config.json");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("params total") != std::string::npos);
  CHECK(r.out.find("8.191B") != std::string::npos);
  CHECK(r.out.find("dense") != std::string::npos);
}

TEST_CASE("fathom model: bad input is one line on stderr and a non-zero exit", "[unit]") {
  const std::string malformed = write_temp("malformed.json", "{\"model_type\": \"qwen3\", ");
  const std::string unknown = write_temp("unknown.json", "{\"model_type\": \"mamba\"}");
  const std::string missing = write_temp("missing.json",
                                         "{\"model_type\": \"qwen3\", \"num_hidden_layers\": 2, \"vocab_size\": 10,"
                                         " \"num_attention_heads\": 2, \"intermediate_size\": 8}");
  struct Case {
    std::string args;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {"model /nonexistent/none.config.json", "none.config.json"},
      {"model " + malformed, "malformed JSON"},
      {"model " + unknown, "unknown architecture \"mamba\""},
      {"model " + missing, "hidden_size: required key is missing"},
      {"model scenarios/models/qwen3-8b.config.json --seq-len 0", "--seq-len"},
      {"model scenarios/models/qwen3-8b.config.json --context -5", "--context"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    const auto r = run_fathom(c.args);
    CHECK(r.exit_code != 0);
    CHECK(is_one_line(r.err));
    CHECK(r.err.find(c.needle) != std::string::npos);
  }
  for (const auto& p : {malformed, unknown, missing}) std::remove(p.c_str());
}

TEST_CASE("fathom model renders as a report: Markdown with keys, --report files", "[unit]") {
  const std::string dir = "/tmp/fathom_model_report_" + std::to_string(::getpid());
  const auto r = run_fathom("model scenarios/models/deepseek-v3.config.json --report " + dir);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("671.026B"));
  const std::string md = fathom::test::read_all(dir + "/summary.md");
  CHECK_THAT(md, Catch::Contains("`/params_total`"));
  const auto j = nlohmann::json::parse(fathom::test::read_all(dir + "/report.json"));
  CHECK(j["params_total"].get<int64_t>() == 671026419200);
  CHECK(std::filesystem::exists(dir + "/layers.csv"));
  std::filesystem::remove_all(dir);
}
