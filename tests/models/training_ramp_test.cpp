// The batch-size ramp (models/training/batch_ramp.h, T11): the piecewise evaluation by hand with a fake
// step function, the rounding to the schedule's micro-batch rule, and the DeepSeek-V3 scenario with and
// without the ramp. No test asserts a published GPU-hour figure.

#include <catch2/catch.hpp>

#include "models/training/batch_ramp.h"
#include "models/training/training_layout.h"
#include "models/training/training_run.h"

namespace tr = fathom::models::training;

namespace {

const std::string kScenario = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xh800.json";

int64_t any_count(int64_t c) { return c; }  // 1F1B / ZB1P: every count >= 1

tr::TrainingScenario read(const std::vector<std::string>& sets = {}) {
  fathom::ProvenanceLog log;
  return tr::read_training_scenario(fathom::load_scenario(kScenario, sets), log);
}

}  // namespace

TEST_CASE("batch ramp: slices, tokens, steps and GPU-hours by hand", "[unit]") {
  // Final batch 10 pipelines x 20 micro-batches x 1 sequence = 200 sequences of 1 token; start 100.
  // Two slices of 2340 tokens at the midpoint batches 125 and 175 sequences -> ceil(/10) = 13 and 18
  // micro-batches -> 130 and 180 sequences -> 2340/130 = 18 and 2340/180 = 13 steps.
  const tr::BatchRampSpec spec{.start_global_batch_sequences = 100, .ramp_tokens = 4680, .segments = 2};
  const tr::RampShape shape{
      .dp = 10, .micro_batch_sequences = 1, .sequence_length = 1, .final_micro_batches = 20, .gpus = 36};
  const auto step_s = [](int64_t c) { return double(c); };  // fake: one second per micro-batch
  const tr::BatchRampResult r = tr::evaluate_batch_ramp(spec, shape, any_count, step_s, 0.5);
  REQUIRE(r.segments.size() == 2);
  CHECK(r.segments[0].target_global_batch_sequences == 125.0);
  CHECK(r.segments[0].micro_batches == 13);
  CHECK(r.segments[0].global_batch_sequences == 130);
  CHECK(r.segments[0].step_s == 13.0);
  CHECK(r.segments[0].tokens == 2340.0);
  CHECK(r.segments[0].steps == 18.0);
  CHECK(r.segments[1].target_global_batch_sequences == 175.0);
  CHECK(r.segments[1].micro_batches == 18);
  CHECK(r.segments[1].global_batch_sequences == 180);
  CHECK(r.segments[1].step_s == 18.0);
  CHECK(r.segments[1].steps == 13.0);
  CHECK(r.ramp_tokens == 4680.0);
  CHECK(r.ramp_steps == 31.0);
  // 36 GPUs x (18 x (13 + 0.5) + 13 x (18 + 0.5)) s = 36 x 483.5 s = 4.835 GPU-hours.
  CHECK(r.ramp_gpu_hours == Approx(4.835));
  CHECK(r.distinct_micro_batch_counts == 2);
}

TEST_CASE("batch ramp: one step simulation per distinct micro-batch count", "[unit]") {
  // Start = final: every slice runs the final 20 micro-batches; the step function is called once.
  const tr::RampShape shape{
      .dp = 10, .micro_batch_sequences = 2, .sequence_length = 4, .final_micro_batches = 20, .gpus = 8};
  int calls = 0;
  const auto step_s = [&](int64_t) { return ++calls, 2.0; };
  const tr::BatchRampResult r = tr::evaluate_batch_ramp({400, 8000, 5}, shape, any_count, step_s);
  CHECK(calls == 1);
  CHECK(r.distinct_micro_batch_counts == 1);
  for (const auto& seg : r.segments) {
    CHECK(seg.micro_batches == 20);
    CHECK(seg.steps == 1600.0 / (400.0 * 4.0));
  }
  CHECK(r.ramp_steps == Approx(5.0));
  CHECK(r.ramp_gpu_hours == Approx(5.0 * 2.0 * 8.0 / 3600.0));
  // No ramp tokens: no steps, no GPU-hours.
  const tr::BatchRampResult none = tr::evaluate_batch_ramp({100, 0, 4}, shape, any_count, step_s);
  CHECK(none.ramp_steps == 0.0);
  CHECK(none.ramp_gpu_hours == 0.0);
}

TEST_CASE("batch ramp: micro-batches rounded up to what the schedule accepts", "[unit]") {
  // The rule build_schedule checks (docs/schedules.md §1).
  CHECK(tr::accepted_micro_batches("dualpipe", 16, 24) == 32);  // 3072 sequences / 128 pipelines
  CHECK(tr::accepted_micro_batches("dualpipe", 16, 33) == 34);
  CHECK(tr::accepted_micro_batches("dualpipe", 16, 120) == 120);
  CHECK(tr::accepted_micro_batches("dualpipev", 16, 24) == 32);
  CHECK(tr::accepted_micro_batches("dualpipev", 16, 33) == 33);
  CHECK(tr::accepted_micro_batches("1f1b", 16, 0) == 1);
  CHECK(tr::accepted_micro_batches("zb1p", 16, 7) == 7);
  // DeepSeek-V3's shape, one slice at the start batch's neighbourhood: 3072 -> 3200 target (segments 48)
  // -> 25 micro-batches -> DualPipe's 32 -> 4096 sequences actually run.
  const tr::RampShape shape{
      .dp = 128, .micro_batch_sequences = 1, .sequence_length = 4096, .final_micro_batches = 120, .gpus = 2048};
  const auto dualpipe = [](int64_t c) { return tr::accepted_micro_batches("dualpipe", 16, c); };
  const tr::BatchRampResult r =
      tr::evaluate_batch_ramp({3072, 469e9, 48}, shape, dualpipe, [](int64_t c) { return 0.1 * double(c); });
  CHECK(r.segments.front().target_global_batch_sequences == 3200.0);
  CHECK(r.segments.front().micro_batches == 32);
  CHECK(r.segments.front().global_batch_sequences == 4096);
  CHECK(r.segments.front().steps == Approx(469e9 / 48.0 / (4096.0 * 4096.0)));
  for (const auto& seg : r.segments) {
    CHECK(seg.micro_batches % 2 == 0);
    CHECK(seg.micro_batches >= 32);
    CHECK(seg.micro_batches <= 120);
    CHECK(double(seg.global_batch_sequences) >= seg.target_global_batch_sequences);
  }
}

TEST_CASE("batch ramp: the DeepSeek-V3 scenario with and without the ramp", "[unit]") {
  tr::TrainingScenario s = read();
  REQUIRE(s.spec.batch_ramp);
  const tr::TrainingPrediction ramp = tr::predict_training(s);
  s.spec.batch_ramp.reset();
  const tr::TrainingPrediction flat = tr::predict_training(s);
  // Without a ramp: exactly the pricing of every step at the final batch.
  CHECK_FALSE(flat.batch_ramp);
  CHECK(flat.steps_for_budget == 14.8e12 / flat.tokens_per_step);
  CHECK(flat.gpu_hours == flat.steps_for_budget * flat.time_per_step_s * 2048.0 / 3600.0);
  CHECK(flat.cost_usd == flat.gpu_hours * 2.0);
  // With it: the same final step, the whole budget covered, more (smaller) steps.
  REQUIRE(ramp.batch_ramp);
  const auto& r = *ramp.batch_ramp;
  CHECK(ramp.step.step_s == flat.step.step_s);
  CHECK(r.segments.size() == 8);
  CHECK(r.segments.front().micro_batches == 32);  // 3840 target sequences -> 30 -> DualPipe's 32
  const double steady_steps = ramp.steps_for_budget - r.ramp_steps;
  double tokens = steady_steps * ramp.tokens_per_step;
  double previous_step = 0;
  for (const auto& seg : r.segments) {
    tokens += seg.steps * double(seg.global_batch_sequences) * 4096.0;
    CHECK(seg.step_s > previous_step);  // more micro-batches, longer step
    CHECK(seg.step_s < ramp.step.step_s);
    previous_step = seg.step_s;
  }
  CHECK(tokens == Approx(14.8e12));
  CHECK(r.ramp_tokens == 469e9);
  CHECK(ramp.steps_for_budget > flat.steps_for_budget);
  CHECK(ramp.gpu_hours ==
        Approx(r.ramp_gpu_hours + (14.8e12 - 469e9) / ramp.tokens_per_step * ramp.time_per_step_s * 2048.0 / 3600.0));
  CHECK(ramp.gpu_hours > flat.gpu_hours);  // a smaller batch amortises the pipeline bubble worse
  CHECK(ramp.cost_usd == Approx(2.0 * ramp.gpu_hours));
  // The amortised checkpoint is charged on every ramp step too.
  REQUIRE(ramp.checkpoint);
  double gpu_s = 0;
  for (const auto& seg : r.segments) gpu_s += seg.steps * (seg.step_s + ramp.checkpoint->amortised_s);
  CHECK(r.ramp_gpu_hours == Approx(gpu_s * 2048.0 / 3600.0));
}

TEST_CASE("batch ramp: starting at the final batch costs what no ramp costs", "[unit]") {
  tr::TrainingScenario s = read({"training.batch_ramp.start_global_batch_sequences=15360"});
  const tr::TrainingPrediction at_final = tr::predict_training(s);
  REQUIRE(at_final.batch_ramp);
  CHECK(at_final.batch_ramp->distinct_micro_batch_counts == 1);
  s.spec.batch_ramp.reset();
  const tr::TrainingPrediction flat = tr::predict_training(s);
  CHECK(at_final.steps_for_budget == Approx(flat.steps_for_budget));
  CHECK(at_final.gpu_hours == Approx(flat.gpu_hours));
}
