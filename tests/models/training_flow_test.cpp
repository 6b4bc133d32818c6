// The flow level of the training step (models/training/step_flows.cpp): the unit expansion reproduces
// the event level when nothing contends, the symmetry fold (one replica, images on itself) gives the
// same step as all replicas unfolded on their own links, and NIC sharing between the traffic classes
// only slows the step down.

#include <catch2/catch.hpp>

#include "models/schedule/registry.h"
#include "models/training/block_costs.h"
#include "models/training/step_model.h"
#include "support/shipped_hardware.h"

namespace tr = fathom::models::training;
namespace sch = fathom::models::schedule;
using fathom::BytesPerSecond;
using fathom::Seconds;

namespace {

// 16 pipelines of `pp` ranks on nodes of 8 GPUs; EP16 over 2 nodes; expert_dp 1 (no expert rings).
struct Fixture {
  fathom::hw::KernelCostModel model = fathom::test::h800_cost_model();
  fathom::models::ModelArch arch;
  fathom::hw::NodeSpec node;
  tr::TrainingSpec spec;
  tr::TrainingLayout layout;
  tr::BlockCostInputs blocks{arch, false, {}, spec, layout, node, model};

  Fixture() {
    arch.hidden = 7168;
    arch.experts_per_token = 8;
    node.gpus_per_node = 8;
    node.intra_achievable_bandwidth = BytesPerSecond(160e9);
    node.intra_latency = Seconds(2e-6);
    node.scaleout_nic.count = 8;
    node.scaleout_nic.achievable_bandwidth = BytesPerSecond(40e9);
    node.scaleout_nic.latency = Seconds(3.7e-6);
    layout.dp = 16;
    layout.ep = 16;
    layout.ep_nodes = 2;
    layout.ep_domains = 2;
    layout.expert_dp = 1;
    layout.micro_batch_tokens = 4096;
  }

  // `stages` stages of two MoE layers each; all-to-all times from the same shapes the flows use.
  std::vector<tr::Stage> stages(int n, double dense_params) const {
    std::vector<tr::Stage> out(n);
    for (int s = 0; s < n; ++s) {
      for (int j = 0; j < 2; ++j) {
        tr::BlockCost b;
        b.layer = 2 * s + j;
        b.moe = true;
        b.alltoall_tokens = 4096 * (1.0 + 0.1 * j);
        b.forward_s = 1.0e-3;
        b.backward_input_s = 1.1e-3;
        b.backward_weight_s = 0.6e-3;
        b.overlapped = {b.forward_s * 132 / 112, b.backward_input_s * 132 / 112, b.backward_weight_s * 132 / 112};
        b.dispatch_s = tr::ep_alltoall_s(blocks, b.alltoall_tokens, spec.dispatch_dtype).value();
        b.combine_s = tr::ep_alltoall_s(blocks, b.alltoall_tokens, spec.combine_dtype).value();
        b.combine_backward_s = tr::ep_alltoall_s(blocks, b.alltoall_tokens, spec.backward_dispatch_dtype).value();
        b.dispatch_backward_s = tr::ep_alltoall_s(blocks, b.alltoall_tokens, spec.combine_dtype).value();
        // Figure 4's components: MLP 55% of each pass, post 5%, attention the rest.
        const auto share = [](const tr::PassTimes& t, double f) {
          return tr::PassTimes{t.forward_s * f, t.backward_input_s * f, t.backward_weight_s * f};
        };
        b.full_parts = {share(b.full(), 0.55), share(b.full(), 0.05)};
        b.overlapped_parts = {share(b.overlapped, 0.55), share(b.overlapped, 0.05)};
        b.dense_params = static_cast<int64_t>(dense_params);
        out[s].blocks.push_back(b);
      }
    }
    return out;
  }

  tr::StepResult run(const sch::Schedule& s, const std::vector<tr::Stage>& st, double pp_bytes, bool flow,
                     int replicas = 1) const {
    const double pp_s = node.scaleout_nic.latency.value() + pp_bytes / node.scaleout_nic.achievable_bandwidth.value();
    const tr::FlowStepInputs f{blocks, pp_bytes};
    const tr::StepInputs in{s, st, pp_s, spec, layout, node, model, replicas, flow ? &f : nullptr, /*timeline=*/true};
    return tr::simulate_step(in);
  }
};

sch::Schedule make(const char* name, int pp, int micro_batches) {
  return sch::schedule_registry().get(name, "test").make(sch::ScheduleParams{pp, micro_batches});
}

}  // namespace

TEST_CASE("flow level without cross traffic reproduces the event level exactly", "[unit]") {
  // No pipeline bytes, no ZeRO rings, and no NIC latency (the event level queues the pipeline sends of
  // DualPipe's two directions on one link resource, the flow level lets their latencies overlap).
  Fixture fx;
  fx.node.scaleout_nic.latency = Seconds(0);
  for (const char* name : {"1f1b", "zb1p", "dualpipe", "dualpipev"}) {
    const sch::Schedule s = make(name, 4, 8);
    const auto st = fx.stages(s.stages, 0.0);  // no ZeRO rings
    const tr::StepResult ev = fx.run(s, st, 0.0, false), fl = fx.run(s, st, 0.0, true);
    INFO(name);
    CHECK(fl.flows > 0);
    CHECK(fl.step_s == Approx(ev.step_s).epsilon(1e-9));
    for (int r = 0; r < s.ranks; ++r) {
      CHECK(fl.ranks[r].exposed_ep_comm_s == Approx(ev.ranks[r].exposed_ep_comm_s).epsilon(1e-6).margin(1e-9));
      CHECK(fl.ranks[r].bubble_s == Approx(ev.ranks[r].bubble_s).epsilon(1e-6).margin(1e-9));
    }
  }
}

TEST_CASE("flow level: the folded step equals all replicas unfolded on their own links", "[unit]") {
  const Fixture fx;
  for (const char* name : {"dualpipe", "1f1b"}) {
    const sch::Schedule s = make(name, 4, 8);
    const auto st = fx.stages(s.stages, 2e8);  // 0.8 GB of FP32 gradients per chunk: rings contend
    const double pp_bytes = 4096.0 * 7168 * 2;
    const tr::StepResult folded = fx.run(s, st, pp_bytes, true, 1);
    const tr::StepResult unfolded = fx.run(s, st, pp_bytes, true, 16);
    INFO(name);
    CHECK(unfolded.flows == 16 * folded.flows);
    CHECK(unfolded.step_s == Approx(folded.step_s).epsilon(1e-9));
    CHECK(unfolded.pipeline_s == Approx(folded.pipeline_s).epsilon(1e-9));
  }
}

TEST_CASE("flow level: sharing the NIC between pipeline, all-to-all and ZeRO traffic never helps", "[unit]") {
  const Fixture fx;
  for (const char* name : {"1f1b", "dualpipe"}) {
    const sch::Schedule s = make(name, 4, 8);
    const auto st = fx.stages(s.stages, 2e8);
    for (double pp_bytes : {4096.0 * 7168 * 2, 4.0 * 4096 * 7168 * 2}) {
      const tr::StepResult ev = fx.run(s, st, pp_bytes, false), fl = fx.run(s, st, pp_bytes, true);
      INFO(name << " pp bytes " << pp_bytes);
      CHECK(fl.step_s >= ev.step_s * (1 - 1e-9));
    }
  }
}

TEST_CASE("the all-to-all slices of the trace add up to the units' all-to-all time at both levels", "[unit]") {
  Fixture fx;
  fx.node.scaleout_nic.latency = Seconds(0);
  const sch::Schedule s = make("dualpipe", 4, 8);
  const auto st = fx.stages(s.stages, 0.0);
  // Closed form: every F pass of a block carries forward_comm_s(), every B pass backward_comm_s().
  double expected = 0;
  for (const auto& units : s.per_rank) {
    for (const auto& u : units) {
      for (const auto* p : {&u.first, u.second ? &*u.second : nullptr}) {
        if (!p || p->kind == sch::PassKind::kWeight) continue;
        for (const auto& b : st.at(p->stage).blocks)
          expected += p->kind == sch::PassKind::kForward ? b.forward_comm_s() : b.backward_comm_s();
      }
    }
  }
  for (bool flow : {false, true}) {
    const tr::StepResult r = fx.run(s, st, 0.0, flow);
    double total = 0;
    int slices = 0;
    for (const auto& sl : r.slices) {
      if (sl.track != tr::SliceTrack::all_to_all) continue;
      total += sl.duration_s;
      ++slices;
      CHECK(sl.start_s >= 0);
      CHECK(sl.start_s + sl.duration_s <= r.pipeline_s * (1 + 1e-12));
    }
    INFO((flow ? "flow" : "event"));
    CHECK(slices > 0);
    CHECK(total == Approx(expected).epsilon(1e-9));
  }
}
