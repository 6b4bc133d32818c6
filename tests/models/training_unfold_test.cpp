// The data-parallel fold at full scale (issue #16): the shipped 2,048-GPU DeepSeek-V3 step at the event level,
// every one of its 128 replicas simulated on its own resources, equals the folded step exactly; and the
// unfolded graph grows linearly with the replicas (one barrier task per ZeRO-1 collective, not one
// dependency per pair of replicas). Perturbations (training_perturbations.h): a straggler against the
// schedule's critical path, the EP-group and ring couplings, and the shipped scenario perturbed.

#include <boost/graph/topological_sort.hpp>
#include <catch2/catch.hpp>

#include "models/schedule/registry.h"
#include "models/schedule/task_graph.h"
#include "models/training/training_run.h"
#include "support/shipped_hardware.h"

namespace tr = fathom::models::training;
namespace sch = fathom::models::schedule;

namespace {

const std::string kScenario = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xh800.json";

tr::TrainingScenario reference() {
  fathom::ProvenanceLog log;
  tr::TrainingScenario s = tr::read_training_scenario(fathom::load_scenario(kScenario, {}), log);
  s.spec.batch_ramp.reset();  // one step
  return s;
}

}  // namespace

TEST_CASE("event level: the 2,048-GPU DeepSeek-V3 step folded equals all 128 replicas unfolded", "[unit]") {
  const tr::TrainingScenario s = reference();
  REQUIRE(s.layout.dp == 128);
  const tr::TrainingPrediction folded = tr::predict_training(s, 1);
  const tr::TrainingPrediction unfolded = tr::predict_training(s, int(s.layout.dp));
  CHECK(unfolded.step.step_s == folded.step.step_s);  // exact: the same durations, the same schedule
  CHECK(unfolded.step.pipeline_s == folded.step.pipeline_s);
  CHECK(unfolded.step.critical_rank == folded.step.critical_rank);
  for (size_t r = 0; r < folded.step.ranks.size(); ++r) {
    CHECK(unfolded.step.ranks[r].bubble_s == folded.step.ranks[r].bubble_s);
    CHECK(unfolded.step.ranks[r].exposed_dp_comm_s == folded.step.ranks[r].exposed_dp_comm_s);
  }
  // Linear: R copies of the replica's tasks plus one barrier per collective (each rank's reduce-scatters,
  // one per chunk it holds, and its all-gather).
  int collectives = 0;
  for (const tr::RankBreakdown& r : folded.step.ranks) collectives += int(r.stages.size()) + 1;
  CHECK(unfolded.step.tasks == int(s.layout.dp) * folded.step.tasks + collectives);
}

// ---- Perturbations (models/training/training_perturbations.h) ----

namespace {

// `stages` stages of one block each, F/B/W compute per micro-batch, no all-to-all.
std::vector<tr::Stage> plain_stages(int stages, double f, double b, double w) {
  std::vector<tr::Stage> out(stages);
  for (int s = 0; s < stages; ++s) {
    tr::BlockCost blk;
    blk.layer = s;
    blk.forward_s = f, blk.backward_input_s = b, blk.backward_weight_s = w;
    blk.overlapped = {f, b, w};
    blk.full_parts.mlp = blk.overlapped_parts.mlp = {0.6 * f, 0.6 * b, 0.6 * w};
    out[s].blocks.push_back(blk);
  }
  return out;
}

// The longest path of the schedule's task graph (program order, activations and gradients) with each unit at
// its closed-form time, rank `slow_rank`'s units `factor` times longer, and no transfer time: the pipeline
// part of the step as the schedule's critical path predicts it.
double critical_path_s(const sch::Schedule& s, const std::vector<tr::Stage>& stages, int slow_rank, double factor) {
  const sch::TaskGraph g = sch::build_task_graph(s);
  std::vector<sch::TaskVertex> order;
  boost::topological_sort(g, std::back_inserter(order));
  std::vector<double> end(boost::num_vertices(g), 0.0);
  double longest = 0;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    double start = 0;
    for (auto e : boost::make_iterator_range(boost::in_edges(*it, g)))
      start = std::max(start, end[boost::source(e, g)]);
    const double d = tr::unit_cost(g[*it].unit, stages).total_s() * (g[*it].rank == slow_rank ? factor : 1.0);
    end[*it] = start + d;
    longest = std::max(longest, end[*it]);
  }
  return longest;
}

}  // namespace

TEST_CASE("a straggler GPU at factor f slows the DualPipe step by what the schedule's critical path predicts",
          "[unit]") {
  fathom::hw::KernelCostModel model = fathom::test::h800_cost_model();
  fathom::hw::NodeSpec node;
  tr::TrainingSpec spec;
  tr::TrainingLayout layout;  // dp = 1: no ZeRO-1 collectives; ep = 1: no EP group
  layout.pp = 4;
  const sch::Schedule s = sch::make_dualpipe({4, 8});
  const auto stages = plain_stages(s.stages, 1.0, 1.0, 0.5);
  const auto step = [&](const std::vector<tr::GpuFactors>* f) {
    tr::StepInputs in{s, stages, 0.0, spec, layout, node, model, 1};
    in.gpu_factors = f;
    return tr::simulate_step(in);
  };
  const double base = step(nullptr).pipeline_s;
  CHECK(base == Approx(critical_path_s(s, stages, -1, 1.0)).epsilon(1e-12));
  for (int rank : {0, 1, 3}) {
    for (double f : {1.0, 1.25, 2.0}) {
      std::vector<tr::GpuFactors> factors(4);
      factors[size_t(rank)].unit_compute = f;
      const double slowed = step(&factors).pipeline_s;
      INFO("rank " << rank << " factor " << f);
      CHECK(slowed == Approx(critical_path_s(s, stages, rank, f)).epsilon(1e-12));
      if (f > 1) CHECK(slowed > base);
    }
  }
  // Hand-computed bound: DualPipe P4 M8 sends M / 2 micro-batches through each of a rank's two chunks, so
  // every rank runs 8 F, 8 B and 8 W (8 x 2.5 = 20 s busy); slowed x2 a rank is busy 40 s, so the step is at
  // least that, and at most that plus the unperturbed schedule's idle time on it (base - 20).
  std::vector<tr::GpuFactors> twice(4);
  twice[1].unit_compute = 2.0;
  const double slowed = step(&twice).pipeline_s;
  CHECK(slowed >= 40.0);
  CHECK(slowed <= 40.0 + (base - 20.0) + 1e-9);
}

TEST_CASE("perturbed GPU factors: the straggler's EP group runs at its pace, the optimizer is its own", "[unit]") {
  tr::TrainingLayout layout;
  layout.pp = 2, layout.dp = 8, layout.ep = 4;
  tr::Perturbation slow;
  slow.kind = "gpu_slowdown", slow.rank = 1, slow.replica = 5, slow.compute_factor = 1.5;
  tr::Perturbation nic;
  nic.kind = "nic_degraded", nic.rank = 0, nic.replica = 2, nic.nic_bandwidth_factor = 0.25;
  const auto f = tr::perturbed_gpu_factors({slow, nic}, layout);
  REQUIRE(f.size() == 16);
  const auto at = [&](int replica, int rank) { return f[size_t(replica * 2 + rank)]; };
  for (int d = 0; d < 8; ++d) {
    INFO("replica " << d);
    CHECK(at(d, 1).unit_compute == (d >= 4 ? 1.5 : 1.0));  // EP group 4..7
    CHECK(at(d, 1).optimizer == (d == 5 ? 1.5 : 1.0));
    CHECK(at(d, 0).unit_comm == (d < 4 ? 4.0 : 1.0));  // EP group 0..3
    CHECK(at(d, 0).pp_send == (d == 2 ? 4.0 : 1.0));
    CHECK(at(d, 0).rings == 4.0);  // every ring of rank 0 goes through the slow NIC
    CHECK(at(d, 1).rings == 1.0);
  }
}

TEST_CASE("the shipped DeepSeek-V3 step with a straggler: unfolded, slower, folds named", "[unit]") {
  const tr::TrainingScenario base = reference();
  const tr::TrainingPrediction folded = tr::predict_training(base, 1);
  // Node 17 GPU 3 = cluster GPU 139: rank 1, replica 11.
  tr::TrainingScenario s = reference();
  tr::Perturbation p;
  p.kind = "gpu_slowdown", p.node = 17, p.gpu = 3, p.rank = 1, p.replica = 11, p.compute_factor = 1.2;
  s.perturbations = {p};
  const tr::TrainingPrediction slowed = tr::predict_training(s, 1);
  CHECK(slowed.step.tasks > int(s.layout.dp) * folded.step.tasks);  // every replica simulated
  CHECK(slowed.step.step_s > folded.step.step_s);
  // A 1.2x slower rank cannot slow the step by more than 1.2x.
  CHECK(slowed.step.step_s <= 1.2 * folded.step.step_s);
  const auto folds = tr::perturbed_training_folds(s.perturbations, s.layout);
  CHECK(folds.front().find("NOT folded") != std::string::npos);
  CHECK(folds.back().find("node 17 GPU 3 (rank 1, replica 11)") != std::string::npos);
}

namespace {

// The shipped scenario with `perturbations` set to `json` (as `--set perturbations=...`), one step.
tr::TrainingScenario perturbed(const std::string& json) {
  fathom::ProvenanceLog log;
  tr::TrainingScenario s = tr::read_training_scenario(fathom::load_scenario(kScenario, {"perturbations=" + json}), log);
  s.spec.batch_ramp.reset();
  return s;
}

}  // namespace

TEST_CASE("nic_down: the GPU and its PCIe sibling share the sibling's NIC, each at half its bandwidth", "[unit]") {
  // Node 17 GPU 3 = cluster GPU 139: rank 1, replica 11; its sibling GPU 2 = cluster GPU 138: replica 10.
  const tr::TrainingScenario s = perturbed(R"([{"kind": "nic_down", "node": 17, "gpu": 3}])");
  REQUIRE(s.perturbations.size() == 1);
  const tr::Perturbation& p = s.perturbations[0];
  REQUIRE(p.nics.size() == 2);
  CHECK(p.nics[0].rank == 1);
  CHECK(p.nics[0].replica == 11);
  CHECK(p.nics[1].rank == 1);
  CHECK(p.nics[1].replica == 10);
  CHECK(p.nics[0].share == 0.5);
  CHECK(p.nics[1].share == 0.5);
  // The same factors as nic_degraded 0.5 on both GPUs, GPU by GPU.
  const tr::TrainingScenario both = perturbed(
      R"([{"kind": "nic_degraded", "node": 17, "gpu": 3, "bandwidth_factor": 0.5},
          {"kind": "nic_degraded", "node": 17, "gpu": 2, "bandwidth_factor": 0.5}])");
  const auto a = tr::perturbed_gpu_factors(s.perturbations, s.layout);
  const auto b = tr::perturbed_gpu_factors(both.perturbations, both.layout);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("GPU " << i);
    CHECK(a[i].unit_comm == b[i].unit_comm);
    CHECK(a[i].pp_send == b[i].pp_send);
    CHECK(a[i].rings == b[i].rings);
  }
  CHECK(a[size_t(10 * 16 + 1)].pp_send == 2.0);
  CHECK(a[size_t(12 * 16 + 1)].pp_send == 1.0);
  CHECK(tr::breaks_data_parallel_fold(s.perturbations));
  // Both NICs of a PCIe switch down: refused.
  CHECK_THROWS_WITH(
      perturbed(R"([{"kind": "nic_down", "node": 17, "gpu": 3}, {"kind": "nic_down", "node": 17, "gpu": 2}])"),
      Catch::Contains("perturbations.1.gpu: node 17 GPU 2's PCIe sibling GPU 3 has its NIC down too"));
}

TEST_CASE("plane_down: on every node the plane's GPU and its sibling at half bandwidth", "[unit]") {
  const tr::TrainingScenario s = perturbed(R"([{"kind": "plane_down", "plane": 5}])");
  REQUIRE(s.perturbations.size() == 1);
  CHECK(s.perturbations[0].nics.size() == 2 * 256);
  const auto f = tr::perturbed_gpu_factors(s.perturbations, s.layout);
  // Replica d sits on GPU d mod 8 of its node: GPUs 5 and 4 are replicas 4, 5, 12, 13, ...
  for (int d = 0; d < 128; ++d) {
    INFO("replica " << d);
    CHECK(f[size_t(d * 16 + 7)].pp_send == (d % 8 == 4 || d % 8 == 5 ? 2.0 : 1.0));
    CHECK(f[size_t(d * 16 + 7)].unit_comm == 2.0);  // every EP group has such a member
  }
}

TEST_CASE("background_traffic is symmetric: the folded step with every link of the class 1/(1-share) slower",
          "[unit]") {
  const tr::TrainingScenario out =
      perturbed(R"([{"kind": "background_traffic", "link_class": "scale_out", "share": 0.2}])");
  const tr::TrainingScenario nv =
      perturbed(R"([{"kind": "background_traffic", "link_class": "nvlink", "share": 0.2}])");
  REQUIRE_FALSE(tr::breaks_data_parallel_fold(out.perturbations));
  const auto f = tr::perturbed_gpu_factors(out.perturbations, out.layout, 3);
  REQUIRE(f.size() == 3 * 16);
  for (const tr::GpuFactors& g : f) {
    CHECK(g.unit_comm == 1.25);
    CHECK(g.pp_send == 1.25);
    CHECK(g.rings == 1.25);
    CHECK(g.unit_compute == 1.0);
  }
  const auto g = tr::perturbed_gpu_factors(nv.perturbations, nv.layout, 1);
  CHECK(g[0].unit_comm == 1.25);
  CHECK(g[0].pp_send == 1.0);
  CHECK(g[0].rings == 1.0);
  const tr::TrainingPrediction base = tr::predict_training(reference(), 1);
  const tr::TrainingPrediction slow = tr::predict_training(out, 1);
  const tr::TrainingPrediction slow_nv = tr::predict_training(nv, 1);
  CHECK(slow.step.tasks == base.step.tasks);  // folded: the same graph
  CHECK(slow.step.step_s > base.step.step_s);
  CHECK(slow.step.step_s <= 1.25 * base.step.step_s);  // only the communication is 1.25x
  CHECK(slow_nv.step.step_s > base.step.step_s);
  CHECK(slow_nv.step.step_s <= slow.step.step_s);  // a subset of the same factors
  const auto folds = tr::perturbed_training_folds(out.perturbations, out.layout, tr::training_folds("event"));
  CHECK(folds.front() == tr::training_folds("event").front());
  CHECK(folds.back().find("symmetric: no fold broken") != std::string::npos);
  CHECK_THROWS_WITH(perturbed(R"([{"kind": "background_traffic", "link_class": "scale_out", "share": 1}])"),
                    Catch::Contains("perturbations.0.share: the share other traffic takes must be in (0, 1), got 1"));
}

TEST_CASE("second_job on every node = background_traffic on scale-out, on some nodes their GPUs only", "[unit]") {
  const tr::TrainingScenario all =
      perturbed(R"([{"kind": "second_job", "first_node": 0, "nodes": 256, "share": 0.2}])");
  const tr::TrainingScenario bg =
      perturbed(R"([{"kind": "background_traffic", "link_class": "scale_out", "share": 0.2}])");
  const auto a = tr::perturbed_gpu_factors(all.perturbations, all.layout);
  const auto b = tr::perturbed_gpu_factors(bg.perturbations, bg.layout, 128);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].unit_comm == Approx(b[i].unit_comm).epsilon(1e-15));
    CHECK(a[i].pp_send == Approx(b[i].pp_send).epsilon(1e-15));
    CHECK(a[i].rings == Approx(b[i].rings).epsilon(1e-15));
  }
  // Nodes 16..31 hold rank 1 (replicas 0..127): only rank 1 is slowed.
  const tr::TrainingScenario some =
      perturbed(R"([{"kind": "second_job", "first_node": 16, "nodes": 16, "share": 0.5}])");
  const auto c = tr::perturbed_gpu_factors(some.perturbations, some.layout);
  for (int d = 0; d < 128; ++d) {
    for (int r = 0; r < 16; ++r) {
      INFO("replica " << d << " rank " << r);
      CHECK(c[size_t(d * 16 + r)].pp_send == (r == 1 ? 2.0 : 1.0));
      CHECK(c[size_t(d * 16 + r)].rings == (r == 1 ? 2.0 : 1.0));
    }
  }
  CHECK_THROWS_WITH(perturbed(R"([{"kind": "second_job", "first_node": 250, "nodes": 7, "share": 0.5}])"),
                    Catch::Contains("perturbations.0.nodes: must be at most 6, got 7"));
}

TEST_CASE("node_removed: redistribute keeps the global batch on the remaining replicas, fail fails the step",
          "[unit]") {
  // Node 17 = cluster GPUs 136..143: rank 1, replicas 8..15, all in the EP group of replicas 0..63 (ep 64):
  // 64 replicas stop, the other 64 run 120 x 128 / 64 = 240 micro-batches each.
  const tr::TrainingScenario s = perturbed(R"([{"kind": "node_removed", "node": 17, "policy": "redistribute"}])");
  REQUIRE(s.perturbations.size() == 1);
  CHECK(s.perturbations[0].rank == 1);
  CHECK(s.perturbations[0].lost_replicas == 64);
  CHECK_FALSE(tr::breaks_data_parallel_fold(s.perturbations));
  const auto removal = tr::node_removal(s.perturbations, s.layout, s.spec.micro_batches);
  REQUIRE(removal);
  CHECK_FALSE(removal->failure);
  CHECK(removal->micro_batches == 240);
  const tr::TrainingPrediction base = tr::predict_training(reference(), 1);
  const tr::TrainingPrediction p = tr::predict_training(s, 1);
  CHECK(p.redistributed_micro_batches == 240);
  CHECK_FALSE(p.step_failure);
  // The step is the unperturbed scenario's at 240 micro-batches per replica, exactly; the global batch kept.
  fathom::ProvenanceLog log;
  tr::TrainingScenario doubled = tr::read_training_scenario(
      fathom::load_scenario(kScenario, {"training.micro_batches=240", "training.global_batch_sequences=30720"}), log);
  doubled.spec.batch_ramp.reset();
  CHECK(p.step.step_s == tr::predict_training(doubled, 1).step.step_s);
  CHECK(p.step.step_s > 1.5 * base.step.step_s);
  CHECK(p.tokens_per_step == base.tokens_per_step);
  // fail: the report says so; the step figures are the unperturbed step's.
  const tr::TrainingPrediction f =
      tr::predict_training(perturbed(R"([{"kind": "node_removed", "node": 17, "policy": "fail"}])"), 1);
  REQUIRE(f.step_failure);
  CHECK(f.step_failure->find("node 17 removed (policy fail): 64 replicas of 128 stop") != std::string::npos);
  CHECK(f.step.step_s == base.step.step_s);
  CHECK_THROWS_WITH(perturbed(R"([{"kind": "node_removed", "node": 17, "policy": "wait"}])"),
                    Catch::Contains("perturbations.0.policy"));
  CHECK_THROWS_WITH(perturbed(R"([{"kind": "node_removed", "node": 17, "policy": "fail"},
                                  {"kind": "node_removed", "node": 18, "policy": "fail"}])"),
                    Catch::Contains("perturbations.1.kind: at most one node_removed per scenario"));
}
