// Per-rank memory of a training step (models/training/rank_memory.h): exact parameter, gradient and
// optimizer bytes, DualPipe's 2x parameters, the schedules' live micro-batches (K30-K33), the activation
// estimate's recomputation rule and the DeepSeek-V3 reference scenario. No published memory figure is asserted.

#include <catch2/catch.hpp>

#include <algorithm>

#include "models/training/rank_memory.h"

namespace tr = fathom::models::training;
namespace sch = fathom::models::schedule;
using fathom::models::Op;
using fathom::models::OpRole;
using fathom::models::RecomputeSet;

namespace {

const std::string kScenario = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xh800.json";

struct Run {
  tr::TrainingScenario scenario;
  tr::TrainingPrediction prediction;
  tr::TrainingMemory memory;
};

Run run(const std::vector<std::string>& sets = {}) {
  fathom::ProvenanceLog log;
  std::vector<std::string> all = {"training.batch_ramp.ramp_tokens=0", "training.batch_ramp.segments=1"};
  all.insert(all.end(), sets.begin(), sets.end());
  Run r{tr::read_training_scenario(fathom::load_scenario(kScenario, all), log), {}, {}};
  r.prediction = tr::predict_training(r.scenario);
  r.memory = tr::training_memory(r.scenario, r.prediction);
  return r;
}

tr::Stage stage_with(int64_t dense, int64_t expert) {
  tr::Stage s;
  tr::BlockCost b;
  b.dense_params = dense;
  b.expert_params = expert;
  s.blocks = {b, b};  // two blocks: the stage sums them
  return s;
}

// Forward ops of one MoE layer of the reference model, as the block costs build them.
std::vector<Op> moe_layer_ops(const tr::TrainingScenario& s) {
  auto options = fathom::models::default_cost_options(s.model.arch);
  return fathom::models::training_layer_ops(s.model.arch, 10, {1, 4096, true}, options, {4, 8192.0});
}

}  // namespace

TEST_CASE("training memory: exact parameter, gradient and ZeRO-1 optimizer bytes", "[unit]") {
  const std::vector<tr::Stage> stages = {stage_with(500, 100), stage_with(300, 0)};
  tr::TrainingSpec spec;  // BF16 compute copy, FP32 gradients, FP32 master, BF16 moments (T26)
  tr::TrainingLayout layout;
  layout.dp = 4;
  layout.expert_dp = 2;
  // Stage 0: 1000 dense + 200 expert parameters.
  const tr::RankStateBytes one = tr::rank_state_bytes(stages, {0}, spec, layout);
  CHECK(one.parameters == 1200.0 * 2);
  CHECK(one.gradients == 1200.0 * 4);
  CHECK(one.optimizer == (1000.0 / 4 + 200.0 / 2) * (4 + 2 * 2));
  // Both stages (DualPipe's two chunks): 1600 dense + 200 expert.
  const tr::RankStateBytes two = tr::rank_state_bytes(stages, {0, 1}, spec, layout);
  CHECK(two.parameters == 1800.0 * 2);
  CHECK(two.optimizer == (1600.0 / 4 + 200.0 / 2) * 8);
  // The dtypes are the spec's.
  spec.master_weight_dtype = fathom::hw::DType::bf16;
  spec.optimizer_moment_dtype = fathom::hw::DType::fp32;
  CHECK(tr::rank_state_bytes(stages, {0}, spec, layout).optimizer == 350.0 * (2 + 2 * 4));
}

TEST_CASE("training memory: peak live micro-batches are K30-K33's PP, PP, PP+1, PP+1", "[unit]") {
  for (int P : {2, 4, 8, 16}) {
    const int C = 4 * P;
    INFO("P = " << P);
    // One byte per micro-batch and stage, released at B (W keeps nothing): the walk counts micro-batches.
    const std::vector<tr::ActivationBytes> unit(size_t(2 * P), {1.0, 0.0});
    auto peak = [&](const sch::Schedule& s) {
      const std::vector<double> per_rank = tr::peak_activation_bytes(s, unit);
      return *std::max_element(per_rank.begin(), per_rank.end());
    };
    CHECK(peak(sch::make_1f1b({P, C})) == P);
    CHECK(peak(sch::make_zb1p({P, C})) == P);
    CHECK(peak(sch::make_dualpipe({P, C})) == P + 1);
    CHECK(peak(sch::make_dualpipev({P / 2, C})) == P + 1);  // PP = 2 x devices stages
    for (double b : tr::peak_activation_bytes(sch::make_dualpipe({P, C}), unit)) CHECK(b == P + 1);
    // ZB-H1 keeps at most P micro-batches alive until their W (docs/schedules.md §2).
    const std::vector<tr::ActivationBytes> until_w(size_t(P), {1.0, 1.0});
    const auto zb = tr::peak_activation_bytes(sch::make_zb1p({P, C}), until_w);
    CHECK(*std::max_element(zb.begin(), zb.end()) == P);
  }
}

TEST_CASE("training memory: the reference scenario's ranks hold K32's 2x parameters and PP+1 micro-batches",
          "[smoke]") {
  const Run dual = run();
  const Run f1b = run({"training.schedule=1f1b"});
  const int P = 16;
  REQUIRE(dual.memory.per_rank.size() == size_t(P));
  REQUIRE(f1b.memory.per_rank.size() == size_t(P));
  double dual_params = 0, f1b_params = 0;
  for (int r = 0; r < P; ++r) {
    const auto& d = dual.memory.per_rank[size_t(r)];
    const auto& f = f1b.memory.per_rank[size_t(r)];
    CHECK(d.stages.size() == 2);
    CHECK(f.stages == std::vector<int>{r});
    // DualPipe rank r holds stages r and P-1-r; 1F1B (same partition) holds stage r.
    CHECK(d.parameters_bytes == Approx(f.parameters_bytes + f1b.memory.per_rank[size_t(P - 1 - r)].parameters_bytes));
    CHECK(d.activation_micro_batches == P + 1);
    dual_params += d.parameters_bytes;
    f1b_params += f.parameters_bytes;
  }
  CHECK(dual_params == Approx(2.0 * f1b_params));
  CHECK(f1b.memory.per_rank[0].activation_micro_batches == P);
}

TEST_CASE("training memory: recomputation stores fewer activation bytes", "[unit]") {
  const Run r = run();
  const std::vector<Op> ops = moe_layer_ops(r.scenario);
  // The op roles the estimate keys on are set by the builders of a DeepSeek-V3 MoE layer.
  for (OpRole role : {OpRole::rms_norm, OpRole::mla_up_projection, OpRole::residual_add, OpRole::rope,
                      OpRole::moe_swiglu, OpRole::moe_combine}) {
    INFO(static_cast<int>(role));
    CHECK(std::any_of(ops.begin(), ops.end(), [&](const Op& op) { return op.role == role; }));
  }
  const tr::ActivationBytes none = tr::activation_bytes(ops, {}, {.fp8_recipe = true});
  const tr::ActivationBytes norms = tr::activation_bytes(ops, {.rms_norm = true}, {.fp8_recipe = true});
  const tr::ActivationBytes both =
      tr::activation_bytes(ops, {.rms_norm = true, .mla_up_projection = true}, {.fp8_recipe = true});
  CHECK(none.stored > 0);
  CHECK(norms.stored < none.stored);
  CHECK(both.stored < norms.stored);
  CHECK(none.weight_inputs <= none.stored);
  // T29: FP8-cached SwiGLU inputs and recomputed outputs store less than BF16 ones.
  CHECK(tr::activation_bytes(ops, {}, {.fp8_recipe = true}).stored <
        tr::activation_bytes(ops, {}, {.fp8_recipe = false}).stored);
  // Through the scenario: the recompute switches lower every rank's activations.
  const Run off = run({"training.recompute.rms_norm=false", "training.recompute.mla_up_projection=false"});
  for (size_t i = 0; i < r.memory.per_rank.size(); ++i) {
    CHECK(r.memory.per_rank[i].activations_bytes < off.memory.per_rank[i].activations_bytes);
  }
}

TEST_CASE("training memory: the DeepSeek-V3 reference scenario", "[smoke]") {
  const Run r = run();
  const auto& m = r.memory;
  CHECK(m.hbm_bytes == r.scenario.cluster.node.gpu.hbm_capacity.value());
  double worst = 0;
  for (const auto& rank : m.per_rank) {
    CHECK(rank.parameters_bytes > 0);
    CHECK(rank.gradients_bytes == Approx(2.0 * rank.parameters_bytes));  // FP32 gradients of BF16 weights
    CHECK(rank.optimizer_bytes > 0);
    CHECK(rank.optimizer_bytes < rank.parameters_bytes);  // ZeRO-1: a shard over dp and expert_dp
    CHECK(rank.activations_bytes > 0);
    CHECK(rank.workspace_bytes == 2.0 * 1024 * 1024 * 1024);  // training.workspace default
    CHECK(rank.total_bytes == Approx(rank.parameters_bytes + rank.gradients_bytes + rank.optimizer_bytes +
                                     rank.activations_bytes + rank.workspace_bytes));
    worst = std::max(worst, rank.total_bytes);
  }
  CHECK(m.per_rank[size_t(m.worst_rank)].total_bytes == worst);
  CHECK(m.headroom_bytes == Approx(m.hbm_bytes - worst));
  CHECK(m.fits == (m.headroom_bytes >= 0));
  CHECK(m.assumptions.size() >= 2);  // activations, parameter dtype (the workspace is a scenario key)
}

TEST_CASE("training memory: without kept expert outputs the combine stores nothing", "[unit]") {
  const Run r = run();
  const std::vector<Op> ops = moe_layer_ops(r.scenario);
  double combine_input = 0;
  for (const Op& op : ops)
    if (op.pass == fathom::models::Pass::forward && op.role == OpRole::moe_combine)
      combine_input += op.work.bytes_read.value();
  REQUIRE(combine_input > 0);
  const auto kept = tr::activation_bytes(ops, {}, {.fp8_recipe = true, .keep_expert_outputs = true});
  const auto dropped = tr::activation_bytes(ops, {}, {.fp8_recipe = true, .keep_expert_outputs = false});
  CHECK(kept.stored - dropped.stored == Approx(combine_input).epsilon(1e-12));
  CHECK(kept.weight_inputs == dropped.weight_inputs);
}
