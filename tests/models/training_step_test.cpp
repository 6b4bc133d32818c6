// The training step model: stage partition, unit durations, the engine graph against the schedule
// evaluator at zero communication, and the data-parallel fold.

#include <catch2/catch.hpp>

#include "models/schedule/evaluator.h"
#include "models/schedule/registry.h"
#include "models/training/step_model.h"
#include "support/shipped_hardware.h"

namespace tr = fathom::models::training;
namespace sch = fathom::models::schedule;

namespace {

// `stages` stages of one layer block each, with fixed compute and communication per micro-batch; the
// compute beside communication (BlockCost::overlapped) is `k` times slower.
std::vector<tr::Stage> uniform_stages(int stages, double f, double b, double w, double comm, double k = 1.0) {
  std::vector<tr::Stage> out(stages);
  for (int s = 0; s < stages; ++s) {
    tr::BlockCost blk;
    blk.layer = s;
    blk.forward_s = f;
    blk.backward_input_s = b;
    blk.backward_weight_s = w;
    blk.overlapped = {k * f, k * b, k * w};
    blk.forward_comm_s = comm;
    blk.backward_comm_s = comm;
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

TEST_CASE("overlapped F&B hides communication under compute, standalone units expose it", "[unit]") {
  const auto stages = uniform_stages(2, 1.0, 1.0, 0.5, 0.8);
  sch::Unit fb = sch::Unit::overlapped({sch::PassKind::kForward, 0, 0, 0}, {sch::PassKind::kBackwardFull, 1, 1, 1});
  const tr::UnitCost c = tr::unit_cost(fb, stages);
  CHECK(c.exposed_comm_s == Approx(0.0));  // comm 1.6 < compute 2.5
  CHECK(c.total_s() == Approx(2.5));
  // The pair computes at the SMs left beside communication (BlockCost::overlapped).
  const tr::UnitCost slowed = tr::unit_cost(fb, uniform_stages(2, 1.0, 1.0, 0.5, 0.8, 132.0 / 112.0));
  CHECK(slowed.total_s() == Approx(2.5 * 132.0 / 112.0));
  const auto heavy = uniform_stages(2, 1.0, 1.0, 0.5, 2.0);
  CHECK(tr::unit_cost(fb, heavy).total_s() == Approx(4.0));  // communication-bound
  // A standalone unit computes at the full SM count and exposes its all-to-alls.
  const tr::UnitCost f =
      tr::unit_cost(sch::Unit::single({sch::PassKind::kForward, 0, 0, 0}), uniform_stages(2, 1.0, 1.0, 0.5, 0.8, 1.2));
  CHECK(f.forward_s == Approx(1.0));
  CHECK(f.exposed_comm_s == Approx(0.8));
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
