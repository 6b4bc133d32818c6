// The optional sections of a training scenario (models/training/training_extras.h): the EPLB-derived
// expert imbalance and the amortised checkpoint write. No test asserts a published figure.

#include <catch2/catch.hpp>

#include "models/eplb/routing_noise.h"
#include "models/param_counts.h"
#include "models/training/training_run.h"
#include "sim/error.h"

namespace tr = fathom::models::training;

namespace {

const std::string kScenario = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xh800.json";

struct Run {
  tr::TrainingScenario scenario;
  tr::TrainingPrediction prediction;
};

Run run_doc(const fathom::ScenarioDocument& doc) {
  fathom::ProvenanceLog log;
  Run r{tr::read_training_scenario(doc, log), {}};
  r.prediction = tr::predict_training(r.scenario);
  return r;
}

Run run(const std::vector<std::string>& sets = {}) { return run_doc(fathom::load_scenario(kScenario, sets)); }

std::string error_of(const std::vector<std::string>& sets) {
  try {
    run(sets);
  } catch (const fathom::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("training EPLB: a uniform load is perfectly balanced, up to routing noise", "[unit]") {
  const Run r = run({"expert_load.zipf_exponent=0"});
  CHECK(r.scenario.expert_imbalance_expected_loads == Approx(1.0));
  CHECK(r.scenario.expert_imbalance_before_eplb == Approx(1.0));
  // Equal shares: the busiest of EP iid draws of a micro-batch's routed slots (models/eplb/routing_noise.h).
  const auto& l = r.scenario.layout;
  const double slots = double(l.tokens_per_gpu()) * double(l.ep) * double(r.scenario.model.arch.experts_per_token);
  CHECK(r.scenario.spec.expert_imbalance ==
        Approx(fathom::models::eplb::routing_noise_factor(std::vector<double>(size_t(l.ep), 1.0), slots)));
  CHECK(r.scenario.spec.expert_imbalance > 1.0);
  CHECK(r.scenario.spec.expert_imbalance < 1.02);
}

TEST_CASE("training EPLB: the reference skew is balanced by EPLB, and more skew never shortens the step", "[unit]") {
  const Run r = run();
  CHECK(r.scenario.expert_imbalance_before_eplb > 1.0);
  CHECK(r.scenario.spec.expert_imbalance >= 1.0);
  CHECK(r.scenario.spec.expert_imbalance <= r.scenario.expert_imbalance_before_eplb);
  double previous_step = 0, previous_imbalance = 0;
  for (const char* z : {"0", "0.5", "1.0", "1.5"}) {
    const Run s = run({std::string("expert_load.zipf_exponent=") + z});
    CHECK(s.scenario.spec.expert_imbalance >= previous_imbalance - 1e-12);
    CHECK(s.prediction.step.step_s >= previous_step - 1e-12);
    previous_imbalance = s.scenario.spec.expert_imbalance;
    previous_step = s.prediction.step.step_s;
  }
}

TEST_CASE("training EPLB: the fixed factor still works without the section, and not with it", "[unit]") {
  fathom::ScenarioDocument doc = fathom::load_scenario(kScenario);
  doc.root.erase("expert_load");
  doc.root["training"]["expert_imbalance"] = 1.3;
  const Run fixed = run_doc(doc);
  CHECK(fixed.scenario.spec.expert_imbalance == 1.3);
  CHECK(fixed.scenario.expert_imbalance_before_eplb == 1.3);
  CHECK(!fixed.scenario.expert_load);
  const std::string both = error_of({"training.expert_imbalance=1.2"});
  CHECK(both.find("expert_load") != std::string::npos);
  CHECK(both.find("training.expert_imbalance") != std::string::npos);
  CHECK(both.find('\n') == std::string::npos);
  CHECK(error_of({"expert_load.zipf_exponent=-1"}).find("expert_load.zipf_exponent") != std::string::npos);
}

TEST_CASE("training checkpoint: bytes by hand, blocking time amortised into the GPU-hours", "[unit]") {
  const Run r = run();
  REQUIRE(r.prediction.checkpoint);
  const auto& c = *r.prediction.checkpoint;
  const auto params = fathom::models::count_params(r.scenario.model.arch);
  // BF16 weight (2) + FP32 master (4) + two BF16 AdamW moments (2 x 2) = 10 bytes per parameter, MTP included.
  CHECK(c.bytes.value() == Approx(10.0 * double(params.total + params.mtp)));
  CHECK(c.writers == 256);
  CHECK(c.time.value() > 0);
  CHECK(c.amortised_s == Approx(c.time.value() / 200.0));
  const auto& p = r.prediction;
  CHECK(p.time_per_step_s == Approx(p.step.step_s + c.amortised_s));
  const double steady_steps = p.steps_for_budget - (p.batch_ramp ? p.batch_ramp->ramp_steps : 0.0);
  const double ramp_gpu_hours = p.batch_ramp ? p.batch_ramp->ramp_gpu_hours : 0.0;  // checkpoints included
  CHECK(p.gpu_hours == Approx(ramp_gpu_hours + steady_steps * (p.step.step_s + c.amortised_s) * 2048.0 / 3600.0));
  // The hand arithmetic of the state on a toy: 1e9 params at FP32 moments = 2 + 4 + 8 = 14 bytes each.
  tr::TrainingSpec fp32 = r.scenario.spec;
  fp32.optimizer_moment_dtype = fathom::hw::DType::fp32;
  CHECK(tr::checkpoint_state_bytes(r.scenario.model.arch, false, fp32).value() == Approx(14.0 * double(params.total)));
}

TEST_CASE("training checkpoint: more storage nodes never slow it, rarer checkpoints cost less per step", "[unit]") {
  double previous = 1e300;
  for (int nodes : {20, 45, 90, 180}) {
    const Run r = run({"checkpoint.storage.cluster.storage_nodes=" + std::to_string(nodes)});
    CHECK(r.prediction.checkpoint->time.value() <= previous);
    previous = r.prediction.checkpoint->time.value();
  }
  const Run base = run(), rare = run({"checkpoint.every_steps=1000"});
  CHECK(rare.prediction.checkpoint->amortised_s < base.prediction.checkpoint->amortised_s);
  CHECK(rare.prediction.gpu_hours < base.prediction.gpu_hours);
}

TEST_CASE("training checkpoint: bad values are one line naming the JSON path", "[unit]") {
  for (const auto& [set, path] : std::vector<std::pair<std::string, std::string>>{
           {"checkpoint.every_steps=0", "checkpoint.every_steps"},
           {"checkpoint.storage.cluster.clients=100", "checkpoint.storage.cluster.clients"},
           {"checkpoint.storage.cluster.storage_nodes=2", "checkpoint.storage.filesystem.replication"},
           {"checkpoint.storage.cluster.storage_nodes=0", "checkpoint.storage.cluster.storage_nodes"},
       }) {
    const std::string e = error_of({set});
    INFO(set << " -> " << e);
    CHECK(e.find(path) != std::string::npos);
    CHECK(e.find('\n') == std::string::npos);
  }
}
