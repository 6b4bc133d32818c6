// A training scenario end to end (models/training/training_run.h): exact token and FLOP accounting,
// and step-time invariants. No test asserts a published step time or MFU.

#include <catch2/catch.hpp>

#include "models/ops.h"
#include "models/param_counts.h"
#include "models/training/training_report.h"
#include "models/training/training_run.h"

namespace tr = fathom::models::training;

namespace {

const std::string kScenario = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xh800.json";

struct Run {
  tr::TrainingScenario scenario;
  tr::TrainingPrediction prediction;
};

Run run(const std::vector<std::string>& sets = {}) {
  fathom::ProvenanceLog log;
  Run r{tr::read_training_scenario(fathom::load_scenario(kScenario, sets), log), {}};
  r.prediction = tr::predict_training(r.scenario);
  return r;
}

}  // namespace

TEST_CASE("the DeepSeek-V3 scenario: layout, tokens and FLOPs are exact", "[smoke]") {
  const Run r = run();
  const auto& l = r.scenario.layout;
  CHECK(l.dp == 128);
  CHECK(l.experts_per_gpu == 4);
  CHECK(l.expert_dp == 2);
  CHECK(l.ep_nodes == 8);
  CHECK(r.prediction.tokens_per_step == 15360.0 * 4096.0);
  const auto& arch = r.scenario.model.arch;
  auto options = fathom::models::default_cost_options(arch);
  const double per_sequence =
      fathom::models::total_flops(fathom::models::training_model_ops(arch, {1, 4096, true}, options, false)).value();
  CHECK(r.prediction.model_flops_per_step == Approx(per_sequence * 15360.0));
  CHECK(r.prediction.model_flops_6nd_per_step ==
        Approx(6.0 * double(fathom::models::count_params(arch).activated_per_token) * 15360.0 * 4096.0));
  CHECK(r.prediction.executed_flops_per_step > r.prediction.model_flops_per_step);  // MTP
  const auto& p = r.prediction;
  CHECK(p.mfu_bf16 == Approx(p.model_flops_per_step / (2048.0 * 989e12 * p.step.step_s)));
  CHECK(p.mfu_fp8 == Approx(p.mfu_bf16 * 989.0 / 1979.0));
  REQUIRE(p.batch_ramp);  // T11; the ramp itself: training_ramp_test.cpp
  CHECK(p.gpu_hours == Approx(p.batch_ramp->ramp_gpu_hours + (14.8e12 - p.batch_ramp->ramp_tokens) / p.tokens_per_step *
                                                                 p.time_per_step_s * 2048.0 / 3600.0));
  CHECK(p.cost_usd == Approx(2.0 * p.gpu_hours));
  // The breakdown of every rank adds up to the step.
  for (const auto& b : p.step.ranks) {
    CHECK(b.forward_s + b.backward_input_s + b.backward_weight_s + b.exposed_ep_comm_s + b.bubble_s +
              b.exposed_dp_comm_s + b.optimizer_s ==
          Approx(p.step.step_s));
    CHECK(b.bubble_s >= -1e-9);
    CHECK(b.stages.size() == 2);  // DualPipe: two chunks per rank
  }
}

TEST_CASE("more micro-batches: more tokens per step and no lower utilisation", "[unit]") {
  double tokens = 0, mfu = 0;
  for (int c : {32, 60, 120}) {
    const Run r = run(
        {"training.micro_batches=" + std::to_string(c), "training.global_batch_sequences=" + std::to_string(128 * c)});
    CHECK(r.prediction.tokens_per_step > tokens);
    CHECK(r.prediction.mfu_bf16 >= mfu - 1e-12);
    tokens = r.prediction.tokens_per_step;
    mfu = r.prediction.mfu_bf16;
  }
}

TEST_CASE("a slower scale-out network never shortens the step", "[unit]") {
  double previous = 0;
  for (const char* bw : {"50GB/s", "40GB/s", "20GB/s", "10GB/s"}) {
    const Run r = run({std::string("cluster.node.scaleout_nic.achievable_bandwidth=") + bw});
    CHECK(r.prediction.step.step_s >= previous);
    previous = r.prediction.step.step_s;
  }
}

TEST_CASE("1F1B and ZB1P are not faster than DualPipe on the same work", "[unit]") {
  const double dualpipe = run().prediction.step.step_s;
  CHECK(run({"training.schedule=1f1b"}).prediction.step.step_s >= dualpipe);
  CHECK(run({"training.schedule=zb1p"}).prediction.step.step_s >= dualpipe);
  CHECK(run({"training.schedule=1f1b"}).prediction.step.step_s >=
        run({"training.schedule=zb1p"}).prediction.step.step_s);
}

TEST_CASE("fewer communication SMs or no imbalance never slow the step", "[unit]") {
  const double base = run().prediction.step.step_s;
  CHECK(run({"training.communication_sms=0"}).prediction.step.step_s <= base);
  CHECK(run({"expert_load.zipf_exponent=0"}).prediction.step.step_s <= base);
}

TEST_CASE("recomputation adds work to B only, and no model FLOPs", "[unit]") {
  const Run on = run();
  const Run off = run({"training.recompute.rms_norm=false", "training.recompute.mla_up_projection=false"});
  REQUIRE(on.scenario.spec.recompute.rms_norm);
  REQUIRE(on.scenario.spec.recompute.mla_up_projection);
  for (size_t s = 0; s < on.prediction.stages.size(); ++s) {
    for (size_t b = 0; b < on.prediction.stages[s].blocks.size(); ++b) {
      const auto& x = on.prediction.stages[s].blocks[b];
      const auto& y = off.prediction.stages[s].blocks[b];
      CHECK(x.forward_s == y.forward_s);
      CHECK(x.backward_weight_s == y.backward_weight_s);
      CHECK(x.backward_input_s >= y.backward_input_s);
    }
  }
  CHECK(on.prediction.model_flops_per_step == off.prediction.model_flops_per_step);
  CHECK(on.prediction.executed_flops_per_step > off.prediction.executed_flops_per_step);
  CHECK(on.prediction.step.step_s > off.prediction.step.step_s);
}

TEST_CASE("compute beside communication: compute-bound kernels slow by the SM share, memory-bound ones do not",
          "[unit]") {
  const Run r = run();
  const double k = 132.0 / (132.0 - 20.0);
  double full = 0, reduced = 0;
  for (const auto& st : r.prediction.stages) {
    for (const auto& b : st.blocks) {
      const double o = b.overlapped.forward_s + b.overlapped.backward_input_s + b.overlapped.backward_weight_s;
      CHECK(o >= b.compute_s() * (1 - 1e-12));
      CHECK(o <= b.compute_s() * k * (1 + 1e-12));
      full += b.compute_s();
      reduced += o;
    }
  }
  CHECK(r.prediction.compute_slowdown == Approx(reduced / full));
  CHECK(r.prediction.compute_slowdown > 1.0);
  CHECK(r.prediction.compute_slowdown < k);  // some kernels are memory-bound
  const Run none = run({"training.communication_sms=0"});
  for (const auto& st : none.prediction.stages) {
    for (const auto& b : st.blocks) {
      CHECK(b.overlapped.forward_s == b.forward_s);
      CHECK(b.overlapped.backward_input_s == b.backward_input_s);
      CHECK(b.overlapped.backward_weight_s == b.backward_weight_s);
    }
  }
}

TEST_CASE("the training report matches its schema at every fidelity, and kernel time factors scale the step",
          "[smoke]") {
  for (const char* level : {"analytic", "event"}) {
    INFO(level);
    const fathom::ScenarioDocument doc = fathom::load_scenario(kScenario, {std::string("fidelity=") + level});
    fathom::ProvenanceLog log;
    const tr::TrainingScenario s = tr::read_training_scenario(doc, log);
    const tr::TrainingPrediction p = tr::predict_training(s);
    const fathom::Report rep = tr::training_report(s, p, tr::training_memory(s, p), log, doc.root);
    CHECK_NOTHROW(fathom::check_report(rep));
    CHECK(rep.metric("/step/time_s") == p.step.step_s);
    CHECK(rep.data["step_breakdown"].size() == 7);
  }
  const double base = run().prediction.step.step_s;
  const double slower = run({"kernel_time_factors.dense_gemm=1.1"}).prediction.step.step_s;
  CHECK(slower > base);
  CHECK(slower < base * 1.1);  // only the dense GEMMs' share of the step grows
}
