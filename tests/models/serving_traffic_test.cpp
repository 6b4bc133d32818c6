// Traffic shape, request mix and economics of the serving simulator: exact arithmetic.

#include <catch2/catch.hpp>

#include <cmath>

#include "models/serving/economics.h"
#include "models/serving/request_mix.h"
#include "models/serving/traffic.h"

using namespace fathom;
using namespace fathom::models::serving;

namespace {

DailyTraffic day() {
  DailyTraffic d;
  d.input_tokens_per_day = 608e9;
  d.cache_hit_fraction = 0.563;
  d.output_tokens_per_day = 168e9;
  d.mean_kv_length_per_output_token = 4989;
  for (size_t h = 0; h < 24; ++h) d.hourly_rate[h] = h < 12 ? 0.5 : 1.5;
  return d;
}

}  // namespace

TEST_CASE("hourly rate integrates piecewise and wraps midnight", "[unit]") {
  const DailyTraffic d = day();
  CHECK(d.mean_rate(0, 24) == Approx(1.0));
  CHECK(d.mean_rate(11.5, 12.5) == Approx(1.0));  // half an hour at 0.5, half at 1.5
  CHECK(d.mean_rate(23, 25) == Approx(1.0));      // 23:00 at 1.5, 00:00 at 0.5
  CHECK(d.mean_rate(3, 3.5) == Approx(0.5));
}

TEST_CASE("traffic shape must average 1", "[unit]") {
  nlohmann::json j = {{"input_tokens_per_day", 1e9},
                      {"cache_hit_fraction", 0.5},
                      {"output_tokens_per_day", 1e8},
                      {"mean_kv_length_per_output_token", 1000},
                      {"hourly_rate", std::vector<double>(24, 2.0)}};
  CHECK_THROWS_WITH(read_daily_traffic(SpecReader(j, "s.json", "traffic")),
                    Catch::StartsWith("s.json: traffic.hourly_rate: the 24 values must average 1"));
  j["hourly_rate"] = std::vector<double>(23, 1.0);
  CHECK_THROWS_WITH(read_daily_traffic(SpecReader(j, "s.json", "traffic")),
                    "s.json: traffic.hourly_rate: needs 24 values (hours 0-23), got 23");
  j["hourly_rate"] = std::vector<double>(24, 1.0);
  j["cache_hit_fraction"] = 1.5;
  CHECK_THROWS_WITH(read_daily_traffic(SpecReader(j, "s.json", "traffic")),
                    "s.json: traffic.cache_hit_fraction: must be between 0 and 1, got 1.5");
}

TEST_CASE("request mix reproduces the daily totals and the mean KV length", "[unit]") {
  const DailyTraffic d = day();
  // Fixed lengths (sigma 0): K = I + (O - 1)/2 with I = R·O, R = 608/168.
  // O = (4989 + 0.5) / (608/168 + 0.5) = 4989.5 / 4.119047... = 1211.33...
  const RequestMix fixed = derive_request_mix(d, LengthShape{});
  const double ratio = 608.0 / 168.0;
  CHECK(fixed.mean_output_tokens == Approx(4989.5 / (ratio + 0.5)));
  CHECK(fixed.mean_input_tokens == Approx(ratio * fixed.mean_output_tokens));
  CHECK(fixed.mean_kv_length_per_output_token() == Approx(4989));
  CHECK(fixed.requests_per_day * fixed.mean_output_tokens == Approx(168e9));
  CHECK(fixed.requests_per_day * fixed.mean_input_tokens == Approx(608e9));
  CHECK(fixed.mean_computed_input_tokens() == Approx(fixed.mean_input_tokens * 0.437));
  // Spread-out outputs: long requests weigh more per output token, so the mean output is shorter.
  const RequestMix spread = derive_request_mix(d, LengthShape{.input_sigma = 1.0, .output_sigma = 1.0});
  CHECK(spread.mean_output_tokens == Approx(4989.5 / (ratio + std::exp(1.0) / 2)));
  CHECK(spread.mean_kv_length_per_output_token() == Approx(4989));
  CHECK(spread.mean_output_tokens < fixed.mean_output_tokens);
}

TEST_CASE("the request sampler draws the derived means", "[unit]") {
  const RequestMix mix = derive_request_mix(day(), LengthShape{.input_sigma = 0.8, .output_sigma = 0.6});
  RequestSampler sampler(mix, 42);
  double in = 0, out = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const RequestLengths r = sampler.next();
    in += static_cast<double>(r.input_tokens);
    out += static_cast<double>(r.output_tokens);
  }
  CHECK(in / n == Approx(mix.mean_input_tokens).epsilon(0.01));
  CHECK(out / n == Approx(mix.mean_output_tokens).epsilon(0.01));
  RequestSampler fixed(derive_request_mix(day(), LengthShape{}), 1);
  CHECK(fixed.next().output_tokens == std::llround(derive_request_mix(day(), LengthShape{}).mean_output_tokens));
}

TEST_CASE("revenue, cost and margin are exact", "[unit]") {
  Economics e;
  e.gpu_hour_price = UsdPerHour(2.0);
  e.prices.standard = {UsdPerToken(0.14e-6), UsdPerToken(0.55e-6), UsdPerToken(2.19e-6)};
  const TokenVolume v{.input_cache_hit = 1e6, .input_cache_miss = 2e6, .output = 3e6};
  // 0.14 + 2 x 0.55 + 3 x 2.19 = 7.81 USD
  CHECK(revenue(e.prices, v, 9, 10).value() == Approx(7.81));
  // 100 GPUs for 30 minutes at 2 USD/h = 100 USD
  CHECK(gpu_cost(e, 100, Seconds(1800)).value() == Approx(100.0));
  CHECK(cost_profit_margin(Usd(500), Usd(100)) == Approx(4.0));
  // An off-peak band 00:30-08:30 at a quarter of the prices: a window 08:00-09:00 is half off-peak.
  e.prices.off_peak = OffPeak{
      .start_h = 0.5, .end_h = 8.5, .prices = {UsdPerToken(0.035e-6), UsdPerToken(0.1375e-6), UsdPerToken(0.5475e-6)}};
  CHECK(e.prices.off_peak->overlap(8, 9) == Approx(0.5));
  CHECK(e.prices.off_peak->overlap(0, 24) == Approx(8.0 / 24));
  CHECK(revenue(e.prices, v, 8, 9).value() == Approx(0.5 * 7.81 + 0.5 * 7.81 / 4));
  // A band that wraps midnight: 22:00-02:00 covers 23:00-01:00 entirely.
  const OffPeak wrap{.start_h = 22, .end_h = 2, .prices = {}};
  CHECK(wrap.overlap(23, 25) == Approx(1.0));
  CHECK(wrap.overlap(12, 13) == Approx(0.0));
}
