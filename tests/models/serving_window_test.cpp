// The iteration-level window simulation against the steady-state fast path (issue #4: "a window
// simulated in full agrees with the fast path").

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "models/serving/serving_inputs.h"
#include "models/serving/step_tables.h"
#include "models/serving/window_sim.h"

using namespace fathom;
using namespace fathom::models::serving;

namespace {

struct Setup {
  ServingInputs in;
  RequestMix mix;
  ExpertImbalance imbalance;
};

Setup setup() {
  const ScenarioDocument doc =
      load_scenario(std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-r1-serving-day.json");
  Setup s{read_serving_inputs(doc, nullptr), {}, {}};
  s.mix = derive_request_mix(s.in.traffic, s.in.spec.lengths);
  s.imbalance = expert_imbalance(s.in.model.arch, s.in.spec, s.in.cluster.node);
  return s;
}

}  // namespace

TEST_CASE("decode: simulated batch, speed and throughput match Little's law on the step table", "[golden]") {
  const Setup s = setup();
  const ServingSpec& spec = s.in.spec;
  const IterationCostModel cost(s.in.model, s.in.cluster.node, s.in.kernels,
                                {s.imbalance.prefill_after, spec.prefill.unit.communication_sms},
                                {s.imbalance.decode_after, spec.decode.unit.communication_sms});
  const double context = s.in.traffic.mean_kv_length_per_output_token;
  const DecodeStepTable steps(cost, spec.decode, spec.mtp, 160, context);
  const double gpus = static_cast<double>(spec.decode.unit.gpus);
  for (const double rate : {100.0, 250.0}) {
    // Fast path: the pool size N solves N = rate x E[O] / speed(N / gpus).
    double pool = 0;
    for (int i = 0; i < 50; ++i) {
      const double speed = spec.mtp.tokens_per_step() / steps.step(std::max(1.0, pool / gpus), context).value();
      pool = rate * s.mix.mean_output_tokens / speed;
    }
    const double fast_speed = spec.mtp.tokens_per_step() / steps.step(pool / gpus, context).value();
    const SimWindow w{.arrival_rate_per_s = rate, .warmup = Seconds(30), .horizon = Seconds(400), .seed = 3};
    const DecodeSimResult sim = simulate_decode_unit(steps, spec.decode, spec.mtp, s.mix, 160, w);
    INFO("rate " << rate << ": fast batch " << pool / gpus << " speed " << fast_speed << "; simulated batch "
                 << sim.mean_batch_per_gpu << " speed " << sim.speed_mean);
    CHECK(sim.stable);
    CHECK(sim.mean_batch_per_gpu == Approx(pool / gpus).epsilon(0.05));
    CHECK(sim.speed_mean == Approx(fast_speed).epsilon(0.05));
    // Conservation in steady state: tokens generated = tokens demanded.
    CHECK(sim.output_tokens_per_s == Approx(rate * s.mix.mean_output_tokens).epsilon(0.05));
  }
}

TEST_CASE("prefill: simulated computed-token throughput equals the arrivals' demand below capacity", "[golden]") {
  const Setup s = setup();
  const ServingSpec& spec = s.in.spec;
  const IterationCostModel cost(s.in.model, s.in.cluster.node, s.in.kernels,
                                {s.imbalance.prefill_after, spec.prefill.unit.communication_sms},
                                {s.imbalance.decode_after, spec.decode.unit.communication_sms});
  const Bytes kv = Bytes(70272);
  const BytesPerSecond storage = BytesPerSecond(5e9);
  const PrefillCapacity full = prefill_capacity(cost, spec.prefill, s.mix, kv, storage);
  const PrefillPeriodTable periods(cost, spec.prefill, full, kv, s.mix.cache_hit_fraction, storage);
  const double unit_capacity = full.computed_tokens_per_s_per_gpu * static_cast<double>(spec.prefill.unit.gpus);
  const double rate = 0.8 * unit_capacity / s.mix.mean_computed_input_tokens();
  const SimWindow w{.arrival_rate_per_s = rate, .warmup = Seconds(30), .horizon = Seconds(300), .seed = 4};
  const PrefillSimResult sim = simulate_prefill_unit(periods, spec.prefill, s.mix, KvTransfer{}, w);
  CHECK(sim.stable);
  CHECK(sim.computed_tokens_per_s == Approx(rate * s.mix.mean_computed_input_tokens()).epsilon(0.05));
  // Time to first token is at least one forward of the request's own tokens, at most a few full ones.
  CHECK(sim.ttft_p50_s > 0);
  CHECK(sim.ttft_p99_s < 5 * full.period.value());
  CHECK(sim.ttft_p99_s >= sim.ttft_p50_s);
  // Over capacity the backlog grows without bound and the simulation says so.
  const SimWindow over{
      .arrival_rate_per_s = 1.5 * rate / 0.8, .warmup = Seconds(30), .horizon = Seconds(300), .seed = 4};
  CHECK_FALSE(simulate_prefill_unit(periods, spec.prefill, s.mix, KvTransfer{}, over).stable);
}
