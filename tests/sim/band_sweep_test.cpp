// --bands (sim/band_sweep.h) on a toy run: drivers ranked by their one-at-a-time effect, inert ranges
// skipped, percentiles inside the sampled spread, identical results for any thread count.

#include <catch2/catch.hpp>

#include <stdexcept>

#include "sim/band_sweep.h"
#include "sim/error.h"

using namespace fathom;

namespace {

ScenarioDocument toy_doc() {
  ScenarioDocument d;
  d.label = "toy.json";
  d.root = nlohmann::json::parse(R"({"a": {"value": 0.5, "range": [0, 1]},
                                      "b": {"value": "3ms", "range": ["2ms", "4ms"]},
                                      "c": {"value": 0.5, "range": [0, 1]}})");
  return d;
}

double ms(const nlohmann::json& v) { return std::stod(v.get<std::string>()); }

// m1 = a + 10 b (b in ms), m2 = a; c moves nothing.
Report toy_run(const ScenarioDocument& d) {
  Report r;
  r.kind = "toy";
  r.title = "toy";
  const double a = d.root["a"]["value"].get<double>(), b = ms(d.root["b"]["value"]);
  r.data = {{"m1", a + 10 * b}, {"m2", a}, {"side", 1.0}};
  r.metrics = {{"/m1", "", "m1"}, {"/m2", "", "m2"}, {"/side", "", "not a headline", false}};
  return r;
}

}  // namespace

TEST_CASE("band sweep: drivers, inert ranges and percentiles of a toy run", "[unit]") {
  const BandSweep s = sweep_bands(toy_doc(), 32, 3, 1, toy_run);
  CHECK(s.runs == 1 + 2 * 3 + 32);
  CHECK(s.inert == std::vector<std::string>{"/c"});
  REQUIRE(s.bands.size() == 2);  // headline metrics only
  const MetricBand& m1 = s.bands[0];
  CHECK(m1.point == Approx(30.5));
  REQUIRE(m1.drivers.size() == 2);
  CHECK(m1.drivers[0].path == "/b");
  CHECK(m1.drivers[0].effect == Approx(20.0));
  CHECK(m1.drivers[0].share == Approx(20.0 / 21.0));
  CHECK(m1.drivers[1].path == "/a");
  CHECK(m1.p5 < m1.p50);
  CHECK(m1.p50 < m1.p95);
  CHECK(m1.p5 > 20.0);  // m1 lies in [20, 41]
  CHECK(m1.p95 < 41.0);
  CHECK(m1.p50 == Approx(30.5).margin(1.0));
  CHECK(s.bands[1].drivers.size() == 1);
}

TEST_CASE("band sweep: the same seed gives the same report whatever the thread count", "[unit]") {
  const std::string one = band_report(sweep_bands(toy_doc(), 16, 9, 1, toy_run)).data.dump();
  CHECK(band_report(sweep_bands(toy_doc(), 16, 9, 3, toy_run)).data.dump() == one);
  CHECK(band_report(sweep_bands(toy_doc(), 16, 10, 2, toy_run)).data.dump() != one);
}

TEST_CASE("band sweep: a scenario without ranges is one input error, a failing run is rethrown", "[unit]") {
  ScenarioDocument plain;
  plain.label = "plain.json";
  plain.root = {{"a", 1}};
  CHECK_THROWS_WITH(sweep_bands(plain, 8, 1, 1, toy_run), Catch::StartsWith("plain.json: no value carries a range"));
  const auto failing = [](const ScenarioDocument& d) -> Report {
    if (d.root["a"]["value"].get<double>() > 0.9) throw InputError("toy.json: a: too large");
    return toy_run(d);
  };
  CHECK_THROWS_WITH(sweep_bands(toy_doc(), 8, 1, 2, failing), "toy.json: a: too large");
}
