// The training step model: stage partition, unit durations, the engine graph against the schedule
// evaluator at zero communication, and the data-parallel fold.

#include <catch2/catch.hpp>

#include "models/schedule/evaluator.h"
#include "models/schedule/registry.h"
#include "models/training/step_analytic.h"
#include "models/training/step_model.h"
#include "support/shipped_hardware.h"

namespace tr = fathom::models::training;
namespace sch = fathom::models::schedule;

namespace {

// `stages` stages of one layer block each, with fixed compute and communication per micro-batch (`comm` per
// direction, half in each phase); the compute beside communication (BlockCost::overlapped) is `k` times
// slower. `mlp` of each pass is Figure 4's MLP component, the rest its attention component.
std::vector<tr::Stage> uniform_stages(int stages, double f, double b, double w, double comm, double k = 1.0,
                                      double mlp = 0.6) {
  std::vector<tr::Stage> out(stages);
  for (int s = 0; s < stages; ++s) {
    tr::BlockCost blk;
    blk.layer = s;
    blk.forward_s = f;
    blk.backward_input_s = b;
    blk.backward_weight_s = w;
    blk.overlapped = {k * f, k * b, k * w};
    blk.full_parts.mlp = {mlp * f, mlp * b, mlp * w};
    blk.overlapped_parts.mlp = {k * mlp * f, k * mlp * b, k * mlp * w};
    blk.dispatch_s = blk.combine_s = blk.combine_backward_s = blk.dispatch_backward_s = comm / 2;
    out[s].blocks.push_back(blk);
  }
  return out;
}

// One MoE block per stage with Figure 4's components set by hand (full and overlapped compute equal):
// F = ATTN 0.4 + MLP 0.6; B = ATTN 0.4 + MLP 0.6; W = ATTN 0.2 + MLP 0.3; DISPATCH(F) 0.2, COMBINE(F)
// `combine`, COMBINE(B) `combine_backward`, DISPATCH(B) 0.2.
std::vector<tr::Stage> figure4_stages(double combine, double combine_backward) {
  std::vector<tr::Stage> out(2);
  for (int s = 0; s < 2; ++s) {
    tr::BlockCost blk;
    blk.layer = s;
    blk.moe = true;
    blk.forward_s = 1.0, blk.backward_input_s = 1.0, blk.backward_weight_s = 0.5;
    blk.overlapped = blk.full();
    blk.full_parts.mlp = blk.overlapped_parts.mlp = {0.6, 0.6, 0.3};
    blk.dispatch_s = 0.2, blk.combine_s = combine;
    blk.combine_backward_s = combine_backward, blk.dispatch_backward_s = 0.2;
    out[s].blocks.push_back(blk);
  }
  return out;
}

struct Fixture {
  fathom::hw::KernelCostModel model = fathom::test::h800_cost_model();
  fathom::hw::NodeSpec node;
  tr::TrainingSpec spec;
  tr::TrainingLayout layout;  // dp = expert_dp = 1: no ZeRO collectives
  Fixture() {
    node.scaleout_nic.achievable_bandwidth = fathom::BytesPerSecond(40e9);
    node.scaleout_nic.latency = fathom::Seconds(3.7e-6);
  }
  tr::StepResult run(const sch::Schedule& s, const std::vector<tr::Stage>& stages, double pp, int replicas = 1) {
    const tr::StepInputs in{s, stages, pp, spec, layout, node, model, replicas};
    return tr::simulate_step(in);
  }
};

}  // namespace

TEST_CASE("at zero communication the step's pipeline equals the schedule evaluator", "[unit]") {
  Fixture fx;
  const double F = 1.0, Bi = 1.0, W = 0.5;
  for (const char* name : {"1f1b", "zb1p", "dualpipe", "dualpipev"}) {
    for (int P : {2, 4, 8}) {
      const sch::Schedule s = sch::schedule_registry().get(name, "test").make(sch::ScheduleParams{P, 4 * P});
      const auto stages = uniform_stages(s.stages, F, Bi, W, 0.0);
      const auto step = fx.run(s, stages, 0.0);
      const auto ev = sch::evaluate(s, sch::UnitDurations{F, Bi + W, W, F + Bi + W});
      INFO(name << " P=" << P);
      CHECK(step.pipeline_s == Approx(ev.makespan_s));
      // The evaluator's bubble runs to the makespan; the step's to the rank's last unit.
      for (int r = 0; r < P; ++r) {
        const double to_end = step.pipeline_s - step.ranks[r].pipeline_end_s;
        CHECK(step.ranks[r].bubble_s + to_end == Approx(ev.bubble_s[r]).margin(1e-9));
      }
    }
  }
}

TEST_CASE("the data-parallel fold: one replica and several unfolded give the same step", "[unit]") {
  Fixture fx;
  fx.layout.dp = 4;
  fx.layout.expert_dp = 2;
  const sch::Schedule s = sch::make_dualpipe({4, 8});
  auto stages = uniform_stages(4, 1.0, 1.2, 0.6, 0.7, 1.2);
  for (auto& st : stages) st.blocks[0].dense_params = 1'000'000'000, st.blocks[0].expert_params = 500'000'000;
  const auto folded = fx.run(s, stages, 0.05, 1);
  const auto unfolded = fx.run(s, stages, 0.05, 3);
  CHECK(unfolded.step_s == Approx(folded.step_s));
  CHECK(folded.step_s > folded.pipeline_s);  // the ZeRO-1 tail costs time
}

TEST_CASE("overlapped F&B hides each all-to-all under the other direction's compute, standalone units expose it",
          "[unit]") {
  // Per pass: MLP 60% of the compute. Pair: ATTN(F) 0.4 | MLP(B)+MLP(W) 0.9 | MLP(F) 0.6 | ATTN(B)+ATTN(W) 0.6.
  const auto stages = uniform_stages(2, 1.0, 1.0, 0.5, 0.8);  // 0.4 per phase: each under its compute span
  sch::Unit fb = sch::Unit::overlapped({sch::PassKind::kForward, 0, 0, 0}, {sch::PassKind::kBackwardFull, 1, 1, 1});
  const tr::UnitCost c = tr::unit_cost(fb, stages);
  CHECK(c.exposed_comm_s == Approx(0.0));
  CHECK(c.total_s() == Approx(2.5));
  // The pair computes at the SMs left beside communication (BlockCost::overlapped).
  const tr::UnitCost slowed = tr::unit_cost(fb, uniform_stages(2, 1.0, 1.0, 0.5, 0.8, 132.0 / 112.0));
  CHECK(slowed.total_s() == Approx(2.5 * 132.0 / 112.0));
  // Communication-bound (1.0 per phase): the all-to-all stream runs back to back from COMBINE(B) at 0 to
  // COMBINE(F) ending at 4.0.
  CHECK(tr::unit_cost(fb, uniform_stages(2, 1.0, 1.0, 0.5, 2.0)).total_s() == Approx(4.0));
  // A standalone unit computes at the full SM count and exposes its all-to-alls.
  const tr::UnitCost f =
      tr::unit_cost(sch::Unit::single({sch::PassKind::kForward, 0, 0, 0}), uniform_stages(2, 1.0, 1.0, 0.5, 0.8, 1.2));
  CHECK(f.forward_s == Approx(1.0));
  CHECK(f.exposed_comm_s == Approx(0.8));
}

TEST_CASE("Figure 4: a COMBINE(B) longer than the ATTN(F) it hides under is exposed, a short one is hidden", "[unit]") {
  const sch::Unit fb =
      sch::Unit::overlapped({sch::PassKind::kForward, 0, 0, 0}, {sch::PassKind::kBackwardFull, 1, 1, 1});
  // Compute 2.5; all-to-alls 0.2 + 0.5 + COMBINE(B) + 0.2, always below it: the old pair rule
  // max(compute, communication) hid every one of them.
  {
    // COMBINE(B) 0.3 < ATTN(F) 0.4: every phase under its span; COMBINE(F) 0.5 ends at 2.4, under ATTN(B)+ATTN(W).
    const auto stages = figure4_stages(0.5, 0.3);  // outlives the plan, which points into it
    const tr::UnitPlan plan = tr::unit_plan(fb, stages);
    REQUIRE(plan.compute.size() == 6);  // post(B) 0, ATTN(F), MLP(B)+MLP(W), MLP(F), ATTN(B)+ATTN(W), post(F) 0
    REQUIRE(plan.comm.size() == 4);
    CHECK(plan.comm[0].phase == tr::AllToAllPhase::combine_backward);
    CHECK(plan.comm[1].phase == tr::AllToAllPhase::dispatch);
    CHECK(plan.comm[2].phase == tr::AllToAllPhase::dispatch_backward);
    CHECK(plan.comm[3].phase == tr::AllToAllPhase::combine);
    CHECK(plan.compute[1].time_s() == Approx(0.4));  // ATTN(F)
    CHECK(plan.compute[2].time_s() == Approx(0.9));  // MLP(B) + MLP(W), after COMBINE(B)
    CHECK(plan.compute[2].waits_for == 0);
    CHECK(plan.compute[2].ready_s == Approx(0.6));   // DISPATCH(B) needs MLP(B) only: MLP(W) runs beside it
    CHECK(plan.compute[3].time_s() == Approx(0.6));  // MLP(F), after DISPATCH(F)
    CHECK(plan.compute[3].waits_for == 1);
    CHECK(plan.compute[4].time_s() == Approx(0.6));  // ATTN(B) + ATTN(W), after DISPATCH(B)
    const tr::UnitTimeline t = tr::unit_timeline(plan);
    CHECK(t.comm_start_s[3] == Approx(1.9));  // COMBINE(F) after MLP(F)
    CHECK(t.end_s == Approx(2.5));
    CHECK(tr::unit_cost(fb, figure4_stages(0.5, 0.3)).exposed_comm_s == Approx(0.0).margin(1e-12));
  }
  {
    // COMBINE(B) 0.7 > ATTN(F) 0.4: MLP(B) starts 0.3 late and the delay carries to the end (2.8).
    const tr::UnitCost c = tr::unit_cost(fb, figure4_stages(0.5, 0.7));
    CHECK(c.forward_s + c.backward_input_s + c.backward_weight_s == Approx(2.5));
    CHECK(c.exposed_comm_s == Approx(0.3));
    CHECK(c.total_s() == Approx(2.8));
  }
  {
    // COMBINE(F) 0.8 > ATTN(B)+ATTN(W) 0.6: it starts at 1.9 and ends at 2.7, after the compute (2.5).
    CHECK(tr::unit_cost(fb, figure4_stages(0.8, 0.3)).exposed_comm_s == Approx(0.2));
  }
  // Alone, the same passes expose every phase.
  CHECK(tr::unit_cost(sch::Unit::single({sch::PassKind::kForward, 0, 0, 0}), figure4_stages(0.5, 0.7)).total_s() ==
        Approx(1.0 + 0.2 + 0.5));
  CHECK(tr::unit_cost(sch::Unit::single({sch::PassKind::kBackwardFull, 1, 1, 1}), figure4_stages(0.5, 0.7)).total_s() ==
        Approx(1.5 + 0.7 + 0.2));
}

TEST_CASE("Figure 4 in a whole step: the exposed COMBINE(B) adds up over the pairs, event and analytic alike",
          "[unit]") {
  // A DualPipe PP2 step over figure4_stages: when COMBINE(B) grows from 0.3 to 0.7, rank 0's exposed
  // all-to-all grows by 0.3 per F&B pair plus what its standalone units expose more; the analytic level
  // reports the same exposure (the flow level: training_flow_test.cpp).
  Fixture fx;
  const sch::Schedule s = sch::make_dualpipe({2, 8});
  const auto short_b = figure4_stages(0.5, 0.3), long_b = figure4_stages(0.5, 0.7);
  const auto a = fx.run(s, short_b, 0.0), b = fx.run(s, long_b, 0.0);
  int pairs = 0;
  for (const auto& u : s.per_rank[0]) pairs += u.kind == sch::UnitKind::kForwardBackward;
  REQUIRE(pairs > 0);
  const double standalone_extra = [&] {
    double extra = 0;
    for (const auto& u : s.per_rank[0]) {
      if (u.kind == sch::UnitKind::kForwardBackward) continue;
      extra += tr::unit_cost(u, long_b).total_s() - tr::unit_cost(u, short_b).total_s();
    }
    return extra;
  }();
  CHECK(b.ranks[0].exposed_ep_comm_s - a.ranks[0].exposed_ep_comm_s == Approx(0.3 * pairs + standalone_extra));
  const tr::StepInputs in{s, long_b, 0.0, fx.spec, fx.layout, fx.node, fx.model};
  CHECK(tr::analytic_step(in).ranks[0].exposed_ep_comm_s == Approx(b.ranks[0].exposed_ep_comm_s));
}
TEST_CASE("stage partition: contiguous, every layer once, embedding first and head last", "[unit]") {
  std::vector<tr::BlockCost> blocks;
  tr::BlockCost emb;
  emb.kind = tr::BlockKind::embedding;
  emb.forward_s = 0.5;
  blocks.push_back(emb);
  for (int l = 0; l < 61; ++l) {
    tr::BlockCost b;
    b.layer = l;
    b.forward_s = l < 3 ? 0.8 : 1.0;
    blocks.push_back(b);
  }
  tr::BlockCost head;
  head.kind = tr::BlockKind::head;
  head.forward_s = 1.5;
  blocks.push_back(head);
  const auto stages = tr::partition_stages(blocks, 16);
  REQUIRE(stages.size() == 16);
  int next = 0;
  double worst = 0;
  for (size_t s = 0; s < stages.size(); ++s) {
    CHECK(stages[s].first_layer == next);
    next = int(stages[s].last_layer) + 1;
    worst = std::max(worst, stages[s].compute_s());
  }
  CHECK(next == 61);
  CHECK(stages.front().blocks.front().kind == tr::BlockKind::embedding);
  CHECK(stages.back().blocks.back().kind == tr::BlockKind::head);
  CHECK(worst <= 4.0 + 1e-9);  // the even split's worst (4 layers) is reachable
}
