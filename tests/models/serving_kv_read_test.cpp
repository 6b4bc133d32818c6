// KV-cache reads in the serving day's TTFT (issue #17): the read adds to every window's TTFT, the
// client path and the prefill fleet size set it, and its inputs come from the kv_cache_storage section.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/serving/serving_inputs.h"

using namespace fathom;
using namespace fathom::models::serving;
using fathom::models::KvCacheSize;

namespace {

const std::string kScenario = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-r1-serving-day.json";

ServingInputs inputs(std::vector<std::string> sets = {}) {
  return read_serving_inputs(load_scenario(kScenario, sets), nullptr);
}

RequestMix mix_of(double mean_input_tokens, double hit_fraction) {
  RequestMix m;
  m.mean_input_tokens = mean_input_tokens;
  m.cache_hit_fraction = hit_fraction;
  return m;
}

}  // namespace

TEST_CASE("a window's KV read is the mean request's cached prefix through the scenario's client", "[serving]") {
  const ServingInputs in = inputs();
  REQUIRE(in.kv_read_client);
  CHECK(kv_read_client_path(in) == "usrbio");
  // 1,000 input tokens, half cached, 70,272 B per token (61 layers x 576 BF16 values): 35,136,000 B in
  // ceil(35,136,000 / 73,728) = 477 reads of 72 KiB.
  const KvCacheSize kv_token{.full_per_token = Bytes(70272)};
  const auto t = window_kv_read(in, mix_of(1000, 0.5), kv_token, 10.0, 4);
  CHECK(t.ios == 477);
  const double node_rate = storage_bandwidth_per_gpu(in).value() * 8;
  CHECK(t.transfer.value() == Approx(35136000 / node_rate).epsilon(1e-12));
  CHECK(t.software.value() == Approx(477 * in.kv_read_client->per_io_cost.value()).epsilon(1e-12));
  // 10 requests/s over 4 nodes move 2,500 x 70,272 B/s each (reads of hits and writes of new KV).
  const double rho = 2500.0 * 70272 / node_rate;
  CHECK(t.queueing.value() == Approx(t.transfer.value() * rho / (2 * (1 - rho))).epsilon(1e-9));
  // More prefill nodes for the same load: less queueing; no hits: no read.
  CHECK(window_kv_read(in, mix_of(1000, 0.5), kv_token, 10.0, 8).total.value() < t.total.value());
  CHECK(window_kv_read(in, mix_of(1000, 0.0), kv_token, 10.0, 4).total.value() == 0.0);
}

TEST_CASE("FUSE makes the serving day's KV reads slower than USRBIO", "[serving]") {
  const ServingInputs usrbio = inputs();
  const ServingInputs fuse = inputs({"kv_cache_storage.filesystem.client=fuse"});
  CHECK(kv_read_client_path(fuse) == "fuse");
  const auto u = window_kv_read(usrbio, mix_of(2000, 0.563), KvCacheSize{.full_per_token = Bytes(70272)}, 100.0, 40);
  const auto f = window_kv_read(fuse, mix_of(2000, 0.563), KvCacheSize{.full_per_token = Bytes(70272)}, 100.0, 40);
  CHECK(f.ios == u.ios);
  CHECK(f.software.value() > u.software.value());
  CHECK(f.total.value() > u.total.value());
}

TEST_CASE("without a kv_cache_storage section a read is its transfer and queueing at the node NIC", "[serving]") {
  ServingInputs in = inputs();
  in.kv_read_client.reset();
  in.kv_read_per_node.reset();
  CHECK(kv_read_client_path(in) == "none");
  const auto t = window_kv_read(in, mix_of(1000, 0.5), KvCacheSize{.full_per_token = Bytes(70272)}, 0.0, 4);
  CHECK(t.latency.value() == 0.0);
  CHECK(t.software.value() == 0.0);
  CHECK(t.queueing.value() == 0.0);
  CHECK(t.total.value() == Approx(35136000 / (storage_bandwidth_per_gpu(in).value() * 8)).epsilon(1e-12));
}

TEST_CASE("every window's TTFT is the prefill simulation's plus the KV read", "[serving][golden]") {
  const ServingInputs in = inputs({"simulation.seconds_per_window=120s"});
  const ServingResult r = simulate_serving_day(in);
  double weighted = 0;
  for (const WindowResult& w : r.windows) {
    CHECK(w.ttft_kv_read_s > 0);
    CHECK(w.ttft_p99_s == Approx(w.ttft_p99_without_kv_read_s + w.ttft_kv_read_s).epsilon(1e-12));
    CHECK(w.ttft_p50_s == Approx(w.ttft_p50_without_kv_read_s + w.ttft_kv_read_s).epsilon(1e-12));
    CHECK(w.ttft_p99_s <= in.spec.slo.ttft_p99.value());
    weighted += w.ttft_kv_read_s * w.requests_per_s * (w.end_h - w.start_h) * 3600;
  }
  CHECK(r.ttft_kv_read_s == Approx(weighted / r.requests).epsilon(1e-9));
  CHECK(r.ttft_p99_s > r.ttft_p99_without_kv_read_s);
  CHECK(r.kv_read_bytes_per_request == Approx(70272 * r.mix.mean_input_tokens * r.mix.cache_hit_fraction));
}
