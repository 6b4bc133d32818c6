// `fathom run` on the serving scenario: the JSON contract of issue #4 and one-line errors.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "support/cli_runner.h"

using fathom::test::is_one_line;
using fathom::test::run_fathom;

namespace {
const std::string kRun = "run scenarios/deepseek-v3-r1-serving-day.json --set simulation.seconds_per_window=60s ";
}

TEST_CASE("fathom run serving prints the documented keys", "[smoke]") {
  const auto r = run_fathom(kRun + "--json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["kind"] == "serving");
  for (const char* key : {"input_tokens_per_s_per_node", "computed_tokens_per_s_per_node"})
    CHECK(j["prefill"][key].is_number());
  for (const char* key : {"output_tokens_per_s_per_node", "tokens_per_s_per_request", "batch_per_gpu"}) {
    CHECK(j["decode"][key].is_number());
  }
  for (const char* key : {"peak", "average", "prefill_average", "decode_average"}) CHECK(j["nodes"][key].is_number());
  for (const char* key : {"gpu_hours", "cost_usd", "revenue_usd", "cost_profit_margin"}) CHECK(j[key].is_number());
  CHECK(j["ttft_s"]["p50"].is_number());
  CHECK(j["ttft_s"]["p99"].is_number());
  REQUIRE(j["windows"].size() == 48);
  for (const char* key : {"start_h", "load", "prefill_units", "decode_units", "nodes", "cost_usd", "revenue_usd"}) {
    CHECK(j["windows"][0][key].is_number());
  }
  CHECK(j["assumptions"].size() > 0);
  std::set<std::string> paths;  // every value is read (and listed) once
  for (const auto& a : j["assumptions"]) CHECK(paths.insert(a["path"].get<std::string>()).second);
  // Computed tokens are the cache misses: 43.7% of input tokens (S18).
  CHECK(j["prefill"]["computed_tokens_per_s_per_node"].get<double>() ==
        Approx(0.437 * j["prefill"]["input_tokens_per_s_per_node"].get<double>()));
  const auto text = run_fathom(kRun);
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("cost-profit margin"));
}

TEST_CASE("fathom run serving: bad values are one line naming the JSON path", "[unit]") {
  struct Case {
    std::string set;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"decode.ep=100", "decode.ep: 100 must equal the unit's GPUs"},
      {"prefill.redundant_experts=33", "prefill.ep: 32 GPUs do not divide the 256 routed + 33 redundant experts"},
      {"traffic.cache_hit_fraction=1.2", "traffic.cache_hit_fraction: must be between 0 and 1"},
      {"slo.tokens_per_s_per_request=500", "slo.tokens_per_s_per_request: 500 is unreachable"},
      {"autoscaling.headroom=0.5", "autoscaling.headroom: must be at least 1"},
      {"autoscaling.window=7min", "autoscaling.window: must divide the 24-hour day"},
      {"economics.prices.output=2.19USD", "economics.prices.output: unknown unit \"USD\""},
      {"lengths.input_sigma=-1", "lengths.input_sigma: must be between 0 and 3"},
      {"calibration=calibration/none.json", "calibration: file"},
      {"kind=servng", "kind: unknown scenario kind \"servng\""},
      {"mtp.acceptance_rate=1.5", "mtp.acceptance_rate: must be between 0 and 1"},
      {"decode.nodes_per_unit=0", "decode.nodes_per_unit: must be at least 1"},
      {"economics.prices.output=-1USD/Mtok", "economics.prices.output: cannot be negative"},
  };
  for (const auto& c : cases) {
    INFO(c.set);
    const auto r = run_fathom(kRun + "--set " + c.set);
    CHECK(r.exit_code == 2);
    CHECK(is_one_line(r.err));
    CHECK_THAT(r.err, Catch::Contains(c.expect));
  }
}

TEST_CASE("prefix-cache reads go through the storage cluster model", "[smoke]") {
  const auto big = run_fathom(kRun + "--json");
  const auto small = run_fathom(kRun + "--set kv_cache_storage.cluster.storage_nodes=2 --json");
  REQUIRE(big.exit_code == 0);
  REQUIRE(small.exit_code == 0);
  const auto b = nlohmann::json::parse(big.out)["prefill"];
  const auto s = nlohmann::json::parse(small.out)["prefill"];
  // 180 storage nodes serve 80 clients at their NIC rate (40 GB/s per node = 5 GB/s per GPU);
  // 2 storage nodes (2 x 2 x 20 GB/s) shared by 80 clients give each 1 GB/s.
  CHECK(b["kv_read_bytes_per_s_per_gpu"].get<double>() == Approx(5e9));
  CHECK(b["kv_read_bottleneck"] == "storage cluster client_nic");
  CHECK(s["kv_read_bytes_per_s_per_gpu"].get<double>() == Approx(80e9 / 80 / 8));
  CHECK(s["kv_read_bottleneck"] == "storage cluster storage_nic");
  CHECK(s["storage_s"].get<double>() > b["storage_s"].get<double>());
  CHECK(s["input_tokens_per_s_per_node"].get<double>() <= b["input_tokens_per_s_per_node"].get<double>());
}

TEST_CASE("a fixed decode batch replaces the SLO batch and reports the SLO consequence", "[smoke]") {
  const auto small = run_fathom(kRun + "--set autoscaling.window=12h --set decode.batch_per_gpu=16 --json");
  INFO(small.err);
  REQUIRE(small.exit_code == 0);
  const auto s = nlohmann::json::parse(small.out);
  CHECK(s["decode"]["batch_source"] == "fixed");
  CHECK(s["decode"]["batch_per_gpu_at_slo"] == 16);
  CHECK(s["decode"]["slo_met_at_batch"] == true);
  const auto big = run_fathom(kRun + "--set autoscaling.window=12h --set decode.batch_per_gpu=150 --json");
  INFO(big.err);
  REQUIRE(big.exit_code == 0);
  const auto b = nlohmann::json::parse(big.out);
  CHECK(b["decode"]["slo_met_at_batch"] == false);
  CHECK(b["decode"]["tokens_per_s_per_request_at_batch"].get<double>() < 20.0);
  CHECK(b["slo"]["met_every_window"] == false);
  const auto too_big = run_fathom(kRun + "--set decode.batch_per_gpu=100000");
  CHECK(too_big.exit_code == 2);
  CHECK(is_one_line(too_big.err));
  CHECK(too_big.err.find("decode.batch_per_gpu") != std::string::npos);
}

TEST_CASE("a per-expert token cap limits the decode batch", "[smoke]") {
  const auto r = run_fathom(kRun + "--set autoscaling.window=12h --set decode.max_tokens_per_expert=256 --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["decode"]["batch_source"] == "expert_cap");
  CHECK(j["decode"]["tokens_per_local_expert"].get<double>() <= 256.0);
  CHECK(j["decode"]["expert_cap_batch_limit"] == j["decode"]["batch_per_gpu_at_slo"]);
}
