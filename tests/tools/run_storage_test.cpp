// `fathom run` on storage scenarios end to end: the contract keys, readable text, and bad input as one
// line naming the JSON path with exit code 2.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support/cli_runner.h"

using fathom::test::is_one_line;
using fathom::test::run_fathom;

namespace {

nlohmann::json run_json(const std::string& args) {
  const auto r = run_fathom("run " + args + " --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

bool is_resource_class(const std::string& s) {
  return s == "storage_nic" || s == "ssd" || s == "client_nic" || s == "network" || s == "client_ops" || s == "cpu" ||
         s == "none";
}

}  // namespace

TEST_CASE("the 180-node peak-read scenario gives the contract keys", "[smoke]") {
  const auto j = run_json("scenarios/3fs-peak-read-180-nodes.json");
  CHECK(j["kind"] == "storage");
  const auto& s = j["storage"];
  const double read = s["read_bytes_per_s"].get<double>();
  CHECK(read > 0);
  CHECK(s["read_bytes_per_s_per_client"].get<double>() == Approx(read / 500));
  CHECK(s["write_bytes_per_s"].get<double>() == 0.0);
  CHECK(is_resource_class(s["bottleneck"].get<std::string>()));
  CHECK(s["job_time_s"].is_null());  // a steady-state measurement
  // No more than the storage NICs can carry: 180 nodes x 2 x 200 Gbps line rate.
  CHECK(read <= 180 * 2 * 25e9);
  // The flow simulation agrees with the closed form on this symmetric cluster.
  CHECK(s["analytic_read_bytes_per_s_per_client"].get<double>() ==
        Approx(s["read_bytes_per_s_per_client"].get<double>()).epsilon(1e-6));
  for (const auto& [k, v] : j["utilisation"].items()) {
    CHECK(v.get<double>() >= 0.0);
    CHECK(v.get<double>() <= 1.0 + 1e-6);
  }
  CHECK(j["folds"].size() >= 2);
  CHECK(j["assumptions"].size() > 0);
}

TEST_CASE("the GraySort scenario is a two-phase task job with a job time", "[smoke]") {
  const auto j = run_json("scenarios/3fs-graysort-25-nodes.json");
  const auto& s = j["storage"];
  REQUIRE(s["workload"] == "task_job");
  REQUIRE(s["phases"].size() == 2);
  CHECK(s["phases"][0]["name"] == "shuffle");
  CHECK(s["phases"][1]["name"] == "sort");
  const double t = s["job_time_s"].get<double>();
  CHECK(t == Approx(s["phases"][0]["time_s"].get<double>() + s["phases"][1]["time_s"].get<double>()));
  // Every stage time sums to the phase time; 4,800 tasks over 50 x 24 slots are 4 waves, 8,192 are 7.
  for (const auto& p : s["phases"]) {
    double sum = 0;
    for (const auto& [stage, sec] : p["stages_s"].items()) sum += sec.get<double>();
    CHECK(sum == Approx(p["time_s"].get<double>()).epsilon(1e-9));
  }
  CHECK(s["phases"][0]["waves"] == 4);
  CHECK(s["phases"][1]["waves"] == 7);
  // Bytes on disk: the shuffle reads the input (ratio r0) and writes it at r1; the sort reads that and
  // writes at r2; SSDs take R = 3 times the writes, chains forward R - 1 times.
  const auto& job = j["scenario"]["storage"]["task_job"];
  const double r0 = job["input_format_ratio"]["value"].get<double>();
  const double r1 = job["phases"][0]["output_format_ratio"]["value"].get<double>();
  const double r2 = job["phases"][1]["output_format_ratio"]["value"].get<double>();
  const double input = 110.5 * 1099511627776.0;
  CHECK(s["bytes"]["read"].get<double>() == Approx((r0 + r1) * input).epsilon(1e-6));
  CHECK(s["bytes"]["write"].get<double>() == Approx((r1 + r2) * input).epsilon(1e-6));
  CHECK(s["bytes"]["ssd_write"].get<double>() == Approx(3 * (r1 + r2) * input).epsilon(1e-6));
  CHECK(s["bytes"]["chain_forwarding"].get<double>() == Approx(2 * (r1 + r2) * input).epsilon(1e-6));
  // Compute NICs bound it from below: 50 x 20 GB/s must carry the reads and the writes.
  CHECK(t >= (r0 + r1) * input / (50 * 20e9) * (1 - 1e-6));
  // Metadata: 4,800 x (1 + 8,192 + 8,193) ops in the shuffle.
  CHECK(s["phases"][0]["metadata_ops"].get<double>() == 4800.0 * 16386);
}

TEST_CASE("the bulk GraySort model stays reachable through --set", "[smoke]") {
  const auto j = run_json("scenarios/3fs-graysort-25-nodes.json --set storage.workload=graysort");
  const auto& s = j["storage"];
  REQUIRE(s["phases"].size() == 2);
  const double input = 110.5 * 1099511627776.0;
  CHECK(s["bytes"]["read"].get<double>() == Approx(2 * input).epsilon(1e-6));
  CHECK(s["bytes"]["ssd_write"].get<double>() == Approx(3 * 2 * input).epsilon(1e-6));
}

TEST_CASE("a checkpoint and a KV-cache read run through --set", "[smoke]") {
  const auto c = run_json(
      "scenarios/3fs-graysort-25-nodes.json --set storage.workload=checkpoint "
      "--set 'storage.checkpoint={\"state\": \"10TiB\"}'");
  CHECK(c["storage"]["job_time_s"].get<double>() > 0);
  CHECK(c["storage"]["bytes"]["ssd_write"].get<double>() == Approx(3 * 10 * 1099511627776.0).epsilon(1e-6));
  const auto k = run_json(
      "scenarios/3fs-graysort-25-nodes.json --set storage.workload=kv_cache_read "
      "--set 'storage.kv_cache_read={\"demand_per_client\": \"5GB/s\", \"block_size\": \"64KiB\"}'");
  CHECK(k["storage"]["kv_cache_read"]["read_bytes_per_s_per_client"].get<double>() == Approx(5e9).epsilon(1e-6));
  // The flow level includes the 5.6 us path latency in its 1 s of reads: 5.6e-6 relative.
  CHECK(k["storage"]["read_bytes_per_s_per_client"].get<double>() == Approx(5e9).epsilon(1e-5));
}

TEST_CASE("storage text output is readable", "[smoke]") {
  const auto r = run_fathom("run scenarios/3fs-peak-read-180-nodes.json");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("read throughput") != std::string::npos);
  CHECK(r.out.find("bottleneck") != std::string::npos);
  CHECK(r.out.find("Folds:") != std::string::npos);
}

TEST_CASE("bad storage input is one line naming the JSON path, exit 2", "[unit]") {
  struct Case {
    std::string set;
    std::string path;
  };
  for (const Case& c :
       {Case{"storage.cluster.storage_node.ssd.read_bandwidth=7GBx", "storage.cluster.storage_node.ssd.read_bandwidth"},
        Case{"storage.peak_read.bytes_per_clients=1TiB", "storage.peak_read.bytes_per_clients"},
        Case{"storage.workload=scan", "storage.workload"},
        Case{"storage.filesystem.replication=500", "storage.filesystem.replication"},
        Case{"storage.cluster.network.kind=mesh", "storage.cluster.network.kind"}}) {
    const auto r = run_fathom("run scenarios/3fs-peak-read-180-nodes.json --set " + c.set);
    INFO(c.set << " -> " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(is_one_line(r.err));
    CHECK(r.err.find(c.path) != std::string::npos);
  }
}
