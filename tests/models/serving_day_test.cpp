// Invariants of a simulated serving day (issue #4): conservation, exact economics, the SLO in every
// window, monotonicity in load and SLO. No published outcome is asserted.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/serving/serving_inputs.h"
#include "models/serving/serving_report.h"

using namespace fathom;
using namespace fathom::models::serving;

namespace {

const std::string kScenario = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-r1-serving-day.json";

ServingResult run_day(std::vector<std::string> sets = {}) {
  sets.push_back("simulation.seconds_per_window=120s");  // a shorter horizon keeps the suite fast
  const ScenarioDocument doc = load_scenario(kScenario, sets);
  return simulate_serving_day(read_serving_inputs(doc, nullptr));
}

}  // namespace

TEST_CASE("a serving day serves exactly the day's tokens", "[golden]") {
  const ServingResult r = run_day();
  CHECK(r.input_tokens == Approx(608e9).epsilon(1e-9));
  CHECK(r.cache_hit_tokens == Approx(0.563 * 608e9).epsilon(1e-9));
  CHECK(r.output_tokens == Approx(168e9).epsilon(1e-9));
  CHECK(r.requests * r.mix.mean_output_tokens == Approx(168e9).epsilon(1e-9));
  CHECK(r.windows.size() == 48);
}

TEST_CASE("serving economics are exact arithmetic on tokens, prices and node-hours", "[golden]") {
  const ServingResult r = run_day();
  // R1 prices (P01): hit 0.14, miss 0.55, output 2.19 USD per million tokens; no off-peak band.
  const double revenue = (0.563 * 608e9 * 0.14 + 0.437 * 608e9 * 0.55 + 168e9 * 2.19) / 1e6;
  CHECK(r.revenue.value() == Approx(revenue).epsilon(1e-9));
  double node_hours = 0;
  for (const WindowResult& w : r.windows) node_hours += static_cast<double>(w.nodes) * 0.5;
  CHECK(r.gpu_hours == Approx(node_hours * 8));
  CHECK(r.cost.value() == Approx(2.0 * r.gpu_hours));  // T19: 2 USD per GPU-hour
  CHECK(r.cost_profit_margin == Approx((r.revenue.value() - r.cost.value()) / r.cost.value()));
  CHECK(r.nodes_average == Approx(node_hours / 24.0));
}

TEST_CASE("every window meets the SLO and the batch is what the SLO allows", "[golden]") {
  const ServingResult r = run_day();
  CHECK(r.slo_met_every_window);
  for (const WindowResult& w : r.windows) {
    INFO("window " << w.start_h);
    CHECK(w.speed_p1 >= 20.0);
    CHECK(w.ttft_p99_s <= 10.0);
    CHECK(w.decode_batch_per_gpu <= static_cast<double>(r.decode.batch_per_gpu) + 1e-9);
  }
  // At the SLO batch one more request per GPU would be too slow (or not fit).
  CHECK(r.decode.tokens_per_s_per_request >= 20.0);
  CHECK(r.decode.batch_per_gpu <= r.decode.memory_batch_limit);
}

TEST_CASE("more load never needs fewer nodes", "[golden]") {
  const ServingResult base = run_day();
  const ServingResult busier =
      run_day({"traffic.input_tokens_per_day=912e9", "traffic.output_tokens_per_day=252e9"});  // 1.5x the day
  CHECK(busier.nodes_peak >= base.nodes_peak);
  CHECK(busier.nodes_average >= base.nodes_average);
  for (size_t i = 0; i < base.windows.size(); ++i) {
    INFO("window " << i);
    CHECK(busier.windows[i].prefill_units >= base.windows[i].prefill_units);
    CHECK(busier.windows[i].decode_units >= base.windows[i].decode_units);
  }
}

TEST_CASE("a tighter speed SLO never raises decode throughput per node", "[golden]") {
  const ServingResult base = run_day();
  const ServingResult tight = run_day({"slo.tokens_per_s_per_request=25"});
  CHECK(tight.decode.batch_per_gpu <= base.decode.batch_per_gpu);
  CHECK(tight.decode.output_tokens_per_s_per_gpu <= base.decode.output_tokens_per_s_per_gpu);
  CHECK(tight.decode_output_tokens_per_s_per_node <= base.decode_output_tokens_per_s_per_node * 1.0001);
  CHECK(tight.decode_tokens_per_s_per_request >= 25.0);
}

TEST_CASE("the serving day's report matches its schema and carries the JSON contract's keys", "[golden]") {
  const ScenarioDocument doc = load_scenario(kScenario, {"simulation.seconds_per_window=120s"});
  ProvenanceLog log;
  const ServingInputs in = read_serving_inputs(doc, &log);
  const Report rep = serving_report(in, simulate_serving_day(in), log, doc.root, "day");
  CHECK_NOTHROW(check_report(rep));
  CHECK(rep.data["windows"].size() == 48);
  CHECK(rep.data["windows"][1]["window"] == "00:30-01:00");
  CHECK(rep.metric("/nodes/peak") >= rep.metric("/nodes/average"));
  CHECK(rep.data["assumptions"].size() > 5);
}

TEST_CASE("the GB200 NVL72 day counts its nodes as 4-GPU trays and names its uncalibrated kernel families",
          "[golden]") {
  const ScenarioDocument doc =
      load_scenario(std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-r1-serving-day-gb200-nvl72.json",
                    {"simulation.seconds_per_window=120s"});
  ProvenanceLog log;
  const ServingInputs in = read_serving_inputs(doc, &log);
  CHECK(in.spec.prefill.unit.gpus == 32);  // 8 trays x 4
  CHECK(in.spec.decode.unit.gpus == 72);   // the rack's 18 trays
  const ServingResult r = simulate_serving_day(in);
  const Report rep = serving_report(in, r, log, doc.root, "day");
  CHECK_NOTHROW(check_report(rep));
  CHECK(rep.data["nodes"]["gpus_per_node"] == 4);
  CHECK(rep.metric("/nodes/gpus_peak") == 4 * r.nodes_peak);
  CHECK(rep.metric("/nodes/gpus_average") == 4 * r.nodes_average);
  CHECK(rep.data["nodes"]["scaleup_domains_peak"].get<double>() == Approx(r.nodes_peak / 18).epsilon(1e-12));
  // GPU-hours are the trays' GPUs over the day.
  CHECK(r.gpu_hours == Approx(r.nodes_average * 4 * 24).epsilon(1e-9));
  // Every window holds whole units: prefill units of 8 trays, decode units of 18.
  for (const WindowResult& w : r.windows) {
    CHECK(w.prefill_nodes == 8 * w.prefill_units);
    CHECK(w.decode_nodes == 18 * w.decode_units);
  }
  REQUIRE(r.calibration_mismatch);
  REQUIRE_FALSE(rep.warnings.empty());
  CHECK_THAT(rep.warnings.front(), Catch::Contains("mla_decode") && Catch::Contains("uncalibrated"));
  CHECK_THAT(rep.lines.back(), Catch::StartsWith("Nodes are 4-GPU trays of 72-GPU NVLink domains (18 trays each)"));
}

TEST_CASE("decode.max_running_requests caps the decode batch per GPU, and the day then needs more GPUs", "[golden]") {
  const ServingResult base = run_day();
  REQUIRE(base.decode.batch_per_gpu > 8);
  // The decode unit has 18 nodes x 8 = 144 GPUs: a cap of 144 x 8 + 100 running requests allows 8 per GPU.
  const ServingResult capped = run_day({"decode.max_running_requests=1252"});
  CHECK(capped.decode.running_cap_batch_limit == 8);
  CHECK(capped.decode.batch_per_gpu == 8);
  CHECK(capped.decode.batch_source == "max_running_requests");
  CHECK(capped.decode.batch_limit == 8);
  for (const WindowResult& w : capped.windows) CHECK(w.decode_batch_per_gpu <= 8.0 + 1e-9);
  CHECK(capped.nodes_decode_average > base.nodes_decode_average);
  CHECK(capped.nodes_peak >= base.nodes_peak);
  // A cap above what the SLO and memory allow changes nothing.
  const ServingResult loose = run_day({"decode.max_running_requests=1000000"});
  CHECK(loose.decode.batch_per_gpu == base.decode.batch_per_gpu);
  CHECK(loose.nodes_average == base.nodes_average);
  // A fixed batch above the cap is one clear line.
  CHECK_THROWS_WITH(run_day({"decode.max_running_requests=1252", "decode.batch_per_gpu=9"}),
                    Catch::Contains("decode.batch_per_gpu: 9 requests per GPU exceed the 8 that "
                                    "decode.max_running_requests (1252 over 144 GPUs) allows"));
  CHECK_THROWS_WITH(run_day({"decode.max_running_requests=100"}),
                    Catch::Contains("decode.max_running_requests: 100 requests is less than one per GPU"));
}
