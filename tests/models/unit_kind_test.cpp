// The unit run kind (docs/unit.md): the breakdown adds up to the step, tokens are conserved, the unit's
// decode step is the serving day's at the same batch (one implementation), and taking SMs for
// communication never speeds a step.

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "models/deployment/model_memory_facts.h"
#include "models/serving/attention_imbalance.h"
#include "models/serving/serving_inputs.h"
#include "models/tensor_parallel.h"
#include "models/unit/unit_report.h"
#include "models/unit/unit_run.h"

using namespace fathom;
using namespace fathom::models;

namespace {

std::string path(const std::string& rel) { return std::string(FATHOM_SOURCE_DIR) + "/scenarios/" + rel; }

unit::UnitResult predict(const std::string& rel, const std::vector<std::string>& sets = {}) {
  ProvenanceLog log;
  return unit::predict_unit(unit::read_unit_scenario(load_scenario(path(rel), sets), log));
}

std::vector<std::string> shipped_units() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(path("unit"))) {
    out.push_back("unit/" + e.path().filename().string());
  }
  return out;
}

}  // namespace

TEST_CASE("unit: the breakdown's exposed times add up to the step in every shipped unit scenario", "[unit]") {
  const auto files = shipped_units();
  REQUIRE(files.size() >= 10);
  for (const std::string& f : files) {
    INFO(f);
    const unit::UnitResult r = predict(f);
    double exposed = 0, time = 0;
    for (const auto& row : r.breakdown) {
      exposed += row.row.exposed_s;
      time += row.row.time_s;
      CHECK(row.row.exposed_s <= row.row.time_s + 1e-12);
      CHECK(row.row.exposed_s >= 0);
    }
    CHECK(std::abs(exposed - r.step_s) <= 1e-9 * r.step_s);
    CHECK(time >= r.step_s - 1e-12);  // overlap only hides
    CHECK(r.compute_s + r.exposed_communication_s + r.overhead_s == Approx(r.step_s).epsilon(1e-9));
  }
}

TEST_CASE("unit: tokens are conserved between step, GPU and node", "[unit]") {
  for (const std::string& f : shipped_units()) {
    INFO(f);
    const unit::UnitResult r = predict(f);
    CHECK(r.tokens_per_s_per_gpu * r.step_s == Approx(r.tokens_per_step_per_gpu).epsilon(1e-12));
    // A node is the scenario's host or tray: 8 GPUs on HGX, 4 on an NVL72 tray.
    const double gpus_per_node = f.find("nvl72") != std::string::npos ? 4 : 8;
    CHECK(r.tokens_per_s_per_node == Approx(gpus_per_node * r.tokens_per_s_per_gpu).epsilon(1e-12));
  }
  const unit::UnitResult d = predict("unit/deepseek-v3-decode-ep144-h800.json");
  CHECK(d.tokens_per_step_per_gpu == Approx(128 * (1 + 0.85)).epsilon(1e-12));  // S41 batch, S44/S45 MTP
  CHECK(d.tokens_per_s_per_request * 128 == Approx(d.tokens_per_s_per_gpu).epsilon(1e-12));
  CHECK(predict("unit/deepseek-v3-prefill-ep32-h800.json").tokens_per_step_per_gpu == 16384);
  CHECK(predict("unit/deepseek-v3-training-chunk-ep64-h800.json").tokens_per_step_per_gpu == 4096);
}

TEST_CASE("unit: decode at batch b is the serving day's decode step at batch b (one implementation)", "[unit]") {
  // The serving day with its decode batch fixed at b, against the unit scenario set to the same deployment,
  // context and context spread.
  const int64_t b = 96;
  const ScenarioDocument doc = load_scenario(
      path("deepseek-v3-r1-serving-day.json"),
      {"decode.batch_per_gpu=" + std::to_string(b), "simulation.seconds_per_window=20s", "autoscaling.window=12h"});
  const serving::ServingInputs in = serving::read_serving_inputs(doc, nullptr);
  const serving::ServingResult day = serving::simulate_serving_day(in);
  REQUIRE(day.decode.batch_per_gpu == b);
  REQUIRE(day.decode.batch_source == "fixed");
  const double cv = serving::decode_context_cv(day.mix);
  const double sigma = std::sqrt(std::log1p(cv * cv));
  const unit::UnitResult u = predict("unit/deepseek-v3-decode-ep144-h800.json",
                                     {"unit.batch_per_gpu=" + std::to_string(b), "unit.context_tokens=4989",
                                      "unit.context_sigma=" + std::to_string(sigma)});
  CHECK(u.attention_imbalance == Approx(day.decode.step.attention_imbalance).epsilon(1e-5));
  CHECK(u.step_s == Approx(day.decode.step.total.value()).epsilon(1e-6));
  CHECK(u.tokens_per_s_per_request == Approx(day.decode.tokens_per_s_per_request).epsilon(1e-6));
}

TEST_CASE("unit: taking SMs for communication never speeds a step", "[unit]") {
  for (const char* f : {"unit/deepseek-v3-prefill-ep32-h800.json", "unit/deepseek-v3-decode-ep144-h800.json",
                        "unit/deepseek-v3-training-chunk-ep64-h800.json"}) {
    INFO(f);
    double last = 0;
    for (const int sms : {0, 10, 20, 40, 80}) {
      const double step = predict(f, {"unit.communication.communication_sms=" + std::to_string(sms)}).step_s;
      CHECK(step >= last - 1e-12);
      last = step;
    }
  }
  // With one micro-batch nothing overlaps: the SMs do not matter and every all-to-all is exposed.
  const auto one = predict("unit/deepseek-v3-prefill-ep32-h800.json", {"unit.micro_batches=1"});
  const auto one_more_sms = predict("unit/deepseek-v3-prefill-ep32-h800.json",
                                    {"unit.micro_batches=1", "unit.communication.communication_sms=60"});
  CHECK(one.step_s == Approx(one_more_sms.step_s).epsilon(1e-12));
  CHECK(one.exposed_communication_s == Approx(one.communication_s).epsilon(1e-12));
  CHECK(one.step_s >= predict("unit/deepseek-v3-prefill-ep32-h800.json").step_s);
}

TEST_CASE("unit: an explicit expert imbalance replaces EPLB and scales the expert work", "[unit]") {
  const auto flat = predict("unit/deepseek-v3-decode-ep144-h800.json", {"expert_load={\"imbalance\":1.0}"});
  const auto skew = predict("unit/deepseek-v3-decode-ep144-h800.json", {"expert_load={\"imbalance\":2.0}"});
  CHECK(flat.expert_imbalance == 1.0);
  CHECK(skew.tokens_per_local_expert == Approx(2 * flat.tokens_per_local_expert).epsilon(1e-12));
  CHECK(skew.step_s > flat.step_s);
}

TEST_CASE("unit: routing noise raises the expert imbalance most at small batches", "[unit]") {
  // The EPLB form prices the busiest GPU of the loads a step draws (models/eplb/routing_noise.h): above the
  // expected loads' factor, by less as the batch grows; the explicit form is taken as the realized factor.
  const std::string decode = "unit/deepseek-v3-decode-ep144-h800.json";
  double last = 1e9;
  for (const int b : {8, 32, 128}) {
    const auto r = predict(decode, {"unit.batch_per_gpu=" + std::to_string(b)});
    CHECK(r.expert_imbalance > r.expert_imbalance_expected_loads);
    CHECK(r.expert_imbalance < last);
    last = r.expert_imbalance;
  }
  const auto prefill = predict("unit/deepseek-v3-prefill-ep32-h800.json");
  CHECK(prefill.expert_imbalance > prefill.expert_imbalance_expected_loads);
  CHECK(prefill.expert_imbalance < prefill.expert_imbalance_expected_loads * 1.01);
  const auto fixed = predict(decode, {"expert_load={\"imbalance\":1.2}"});
  CHECK(fixed.expert_imbalance == 1.2);
  CHECK(fixed.expert_imbalance_expected_loads == 1.2);
}

TEST_CASE("unit: a context spread between DP ranks slows decode attention", "[unit]") {
  const auto even = predict("unit/deepseek-v3-decode-ep144-h800.json");
  const auto spread = predict("unit/deepseek-v3-decode-ep144-h800.json", {"unit.context_sigma=1.0"});
  CHECK(even.attention_imbalance == 1.0);
  CHECK(spread.attention_imbalance > 1.1);
  CHECK(spread.step_s > even.step_s);
}

TEST_CASE("unit: prefill with MTP loaded runs the MTP module over the prompt (one more layer's work)", "[unit]") {
  const unit::UnitResult with = predict("unit/deepseek-v3-prefill-ep32-h800.json", {"model.mtp=true"});
  const unit::UnitResult without = predict("unit/deepseek-v3-prefill-ep32-h800.json", {"model.mtp=false"});
  double flops_with = 0, flops_without = 0;
  for (const auto& row : with.breakdown) flops_with += row.row.flops;
  for (const auto& row : without.breakdown) flops_without += row.row.flops;
  // 61 main layers + 1 MTP module (a MoE layer plus eh_proj and the shared head on the last tokens).
  CHECK(flops_with / flops_without == Approx(1.0 + 1.0 / 61).epsilon(0.01));
  CHECK(with.step_s > without.step_s);
}

TEST_CASE("unit: balanced request placement removes the attention imbalance", "[unit]") {
  const auto random = predict("unit/deepseek-v3-decode-ep144-h800.json", {"unit.context_sigma=1.0"});
  const auto balanced = predict("unit/deepseek-v3-decode-ep144-h800.json",
                                {"unit.context_sigma=1.0", "unit.request_placement=\"balanced\""});
  CHECK(random.attention_imbalance > 1.1);
  CHECK(balanced.attention_imbalance == 1.0);
  CHECK(balanced.step_s < random.step_s);
}

TEST_CASE("unit: every shipped unit scenario's report matches its schema", "[unit]") {
  for (const std::string& f : shipped_units()) {
    INFO(f);
    ProvenanceLog log;
    const ScenarioDocument doc = load_scenario(path(f));
    const unit::UnitScenario s = unit::read_unit_scenario(doc, log);
    const Report rep = unit::unit_report(s, unit::predict_unit(s), log, doc.root);
    CHECK_NOTHROW(check_report(rep));
    CHECK(rep.metric("/step_s") > 0);
  }
}

// TP8 attention + EP8 on one 8-GPU node (issue #15): scenarios/unit/deepseek-r1-decode-tp8-ep8-h200.json.
// 16 requests per GPU in 2 micro-batches, one MTP draft: 8 sequences x 2 tokens = 16 tokens per GPU and
// micro-batch; the TP group all-gathers 16 x 8 x 7168 x 2 B = 1,835,008 B of BF16 hidden states, of which each
// GPU sends 7/8 = 1,605,632 B. Per micro-batch a MoE layer has 2 collectives (around attention), a dense
// layer 4 (around its FFN too): (59 MoE layers with the MTP module's x 2 + 3 dense x 4) x 2 micro-batches = 260.
TEST_CASE("unit: TP8 attention + EP8, the TP collectives' bytes and seconds, exact", "[unit]") {
  const std::string f = "unit/deepseek-r1-decode-tp8-ep8-h200.json";
  ProvenanceLog log;
  const unit::UnitScenario s = unit::read_unit_scenario(load_scenario(path(f)), log);
  REQUIRE(s.parallelism.tp == 8);
  REQUIRE(s.decode.unit.tp == 8);
  const unit::UnitResult r = unit::predict_unit(s);
  const serving::NamedCostRow* tp = nullptr;
  for (const auto& row : r.breakdown)
    if (row.name == "tp_collectives") tp = &row;
  REQUIRE(tp != nullptr);
  CHECK(tp->kind == "communication");
  CHECK(tp->row.bytes == 260.0 * 1'605'632.0);
  const auto& node = s.cluster.node;
  CHECK(tp->row.latency_s == Approx(260.0 * 7 * node.intra_latency.value()).epsilon(1e-12));
  CHECK(tp->row.time_s ==
        Approx(260.0 * (7 * node.intra_latency.value() + 1'605'632.0 / node.intra_achievable_bandwidth.value()))
            .epsilon(1e-12));
  CHECK(tp->row.exposed_s == tp->row.time_s);
  // The same node with DP attention (tp 1, dp 8): no TP row; the MLA latent of the 8 GPUs' requests is split
  // over them instead of kept whole on each (8x the KV cache per GPU under TP8), attention weights whole.
  const unit::UnitResult dp = predict(f, {"parallelism.tp=1", "parallelism.dp=8"});
  for (const auto& row : dp.breakdown) CHECK(row.name != "tp_collectives");
  REQUIRE(r.memory);
  REQUIRE(dp.memory);
  CHECK(r.memory->kv_cache.value() == Approx(8 * dp.memory->kv_cache.value()).epsilon(1e-12));
  // Attention weights: MLA's q_a / kv_a down-projections and the norms whole, the rest split 8 ways.
  const ModelMemoryFacts facts = memory_facts(s.model);
  const double rep = facts.attention_replicated_per_layer.value(), all = facts.attention_per_layer.value();
  CHECK(rep > 0);
  CHECK(rep < all / 4);
  CHECK(dp.memory->attention.value() == Approx(all * double(dp.memory->layers_on_gpu)).epsilon(1e-12));
  CHECK(r.memory->attention.value() ==
        Approx((rep + (all - rep) / 8) * double(r.memory->layers_on_gpu)).epsilon(1e-12));
  CHECK(r.memory->shared_experts.value() == dp.memory->shared_experts.value());  // the MoE block runs whole
  CHECK(r.memory->routed_experts.value() == dp.memory->routed_experts.value());
}

TEST_CASE("unit: TP layouts and the running-request cap, one clear line each", "[unit]") {
  const std::string f = "unit/deepseek-r1-decode-tp8-ep8-h200.json";
  CHECK_THROWS_WITH(predict(f, {"parallelism.tp=3"}), Catch::Contains("parallelism.tp: 3 does not divide"));
  CHECK_THROWS_WITH(predict(f, {"parallelism.dp=2"}), Catch::Contains("parallelism.dp: 2 must equal ep / tp (8 / 8)"));
  CHECK_THROWS_WITH(predict(f, {"unit.max_running_requests=127"}),
                    Catch::Contains("unit.batch_per_gpu: 16 requests per GPU exceed the 15 that max_running_requests "
                                    "127 over 8 GPUs allows"));
  CHECK_THROWS_WITH(
      predict(f, {"unit.max_running_requests=7"}),
      Catch::Contains("unit.max_running_requests: 7 requests is less than one per GPU of the 8-GPU unit"));
  CHECK_NOTHROW(predict(f, {"unit.max_running_requests=128"}));
}

// A cluster of k whole EP groups (issue #15): every group is an independent replica of the priced engine, so
// the step and the per-GPU rates are one group's and the cluster's throughput is k times the group's.
TEST_CASE("unit: a cluster of k EP groups steps as one group, k x the group's throughput", "[unit]") {
  const auto run = [](const std::string& rel, const std::vector<std::string>& sets) {
    ProvenanceLog log;
    const ScenarioDocument doc = load_scenario(path(rel), sets);
    const unit::UnitScenario s = unit::read_unit_scenario(doc, log);
    const unit::UnitResult r = unit::predict_unit(s);
    return std::pair{s, unit::unit_report(s, r, log, doc.root)};
  };
  // Prefill EP32: 4 H800 nodes = one group, 8 nodes = 2 groups.
  const auto [one_s, one] = run("unit/deepseek-v3-prefill-ep32-h800.json", {});
  const auto [two_s, two] = run("unit/deepseek-v3-prefill-ep32-h800.json", {"cluster.nodes=8"});
  CHECK(one_s.ep_groups == 1);
  CHECK(two_s.ep_groups == 2);
  CHECK(two.metric("/step_s") == one.metric("/step_s"));
  CHECK(two.metric("/tokens_per_s_per_gpu") == one.metric("/tokens_per_s_per_gpu"));
  CHECK(two.data["cluster_gpus"] == 64);
  CHECK(two.data["gpus"] == 32);
  CHECK(two.metric("/cluster_tokens_per_s") == Approx(2 * one.metric("/cluster_tokens_per_s")).epsilon(1e-12));
  CHECK(two.metric("/cluster_tokens_per_s") == Approx(64 * two.metric("/tokens_per_s_per_gpu")).epsilon(1e-12));
  CHECK_THAT(two.lines.at(1), Catch::StartsWith("The cluster holds 2 independent EP groups of 32 GPUs (64 GPUs)"));
  // The training chunk EP64 on 16 nodes: 2 groups, the same chunk.
  const auto [t1_s, t1] = run("unit/deepseek-v3-training-chunk-ep64-h800.json", {});
  const auto [t2_s, t2] = run("unit/deepseek-v3-training-chunk-ep64-h800.json", {"cluster.nodes=16"});
  CHECK(t1_s.cluster.total_gpus() == 64);
  CHECK(t2_s.ep_groups == 2);
  CHECK(t2.metric("/step_s") == t1.metric("/step_s"));
}

TEST_CASE("unit: EP4 groups inside an 8-GPU node price as EP4 on a 4-GPU node", "[unit]") {
  // Mixtral (8 experts) EP4 + DP4: two groups on one H100 node, against one group on a 4-GPU node with
  // the node's per-GPU NIC share (one NIC per GPU both ways). Every all-to-all stays on NVLink.
  const std::vector<std::string> ep4 = {"parallelism.ep=4", "parallelism.dp=4"};
  ProvenanceLog log;
  const unit::UnitScenario in_node =
      unit::read_unit_scenario(load_scenario(path("unit/mixtral-8x7b-decode-ep8-h100.json"), ep4), log);
  CHECK(in_node.ep_groups == 2);
  CHECK(in_node.decode.unit.gpus == 4);
  CHECK(in_node.decode.unit.nodes == 1);
  std::vector<std::string> small = ep4;
  small.insert(small.end(), {"cluster.node.gpus_per_node=4", "cluster.node.scaleout_nic.count=4"});
  const unit::UnitScenario alone =
      unit::read_unit_scenario(load_scenario(path("unit/mixtral-8x7b-decode-ep8-h100.json"), small), log);
  CHECK(alone.ep_groups == 1);
  const unit::UnitResult a = unit::predict_unit(in_node), b = unit::predict_unit(alone);
  CHECK(a.step_s == Approx(b.step_s).epsilon(1e-12));
  CHECK(a.tokens_per_s_per_gpu == Approx(b.tokens_per_s_per_gpu).epsilon(1e-12));
  // Per node: the 8-GPU node holds two groups.
  CHECK(a.tokens_per_s_per_node == Approx(2 * b.tokens_per_s_per_node).epsilon(1e-12));
}

TEST_CASE("unit: a cluster that is not whole EP groups is one clear line", "[unit]") {
  ProvenanceLog log;
  const auto error_of = [&](const std::vector<std::string>& sets) -> std::string {
    try {
      unit::read_unit_scenario(load_scenario(path("unit/deepseek-v3-prefill-ep32-h800.json"), sets), log);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  CHECK_THAT(error_of({"cluster.nodes=6"}),
             Catch::Contains("cluster.nodes: 48 GPUs are not a whole number of EP groups of parallelism.ep = 32 GPUs"));
  CHECK_THAT(error_of({"parallelism.ep=12", "parallelism.dp=12"}),
             Catch::Contains("parallelism.ep: 12 GPUs are neither whole 8-GPU nodes nor a part of one"));
}

TEST_CASE("unit: a training chunk under TP2, its TP collectives exact and on the critical path", "[unit]") {
  const std::string f = "unit/deepseek-v3-training-chunk-ep64-h800.json";
  ProvenanceLog log;
  const unit::UnitScenario s = unit::read_unit_scenario(load_scenario(path(f), {"parallelism.tp=2"}), log);
  const unit::UnitResult r = unit::predict_unit(s);
  const unit::UnitResult tp1 = predict(f);
  // Sequence parallelism: each GPU holds half of the 4,096-token micro-batch between TP blocks.
  CHECK(r.tokens_per_step_per_gpu == 2048);
  const serving::NamedCostRow* tp = nullptr;
  for (const auto& row : r.breakdown)
    if (row.name == "tp_collectives") tp = &row;
  REQUIRE(tp != nullptr);
  // 4 MoE layers x (F, B) x 4 rings (around attention and the shared expert) of the micro-batch's BF16 hidden
  // states, 4096 x 7168 x 2 B, over 2 GPUs of the node: 29,360,128 B each, one NVLink latency each.
  const TpCollective one = tp_ring_collective(4096.0 * 7168 * 2, 2, s.cluster.node);
  CHECK(one.bytes_per_gpu == 29'360'128.0);
  CHECK(tp->row.bytes == 32 * 29'360'128.0);
  CHECK(tp->row.latency_s == Approx(32 * s.cluster.node.intra_latency.value()).epsilon(1e-12));
  CHECK(tp->row.time_s == Approx(32 * one.time_s).epsilon(1e-12));
  CHECK(tp->row.exposed_s == Approx(32 * one.time_s).epsilon(1e-12));  // no --tp-comm-overlap
  double exposed = 0;
  for (const auto& row : r.breakdown) exposed += row.row.exposed_s;
  CHECK(exposed == Approx(r.step_s).epsilon(1e-9));
  for (const auto& row : tp1.breakdown) CHECK(row.name != "tp_collectives");
  CHECK_THROWS_WITH(predict(f, {"parallelism.tp=16"}), Catch::Contains("parallelism.tp: 16 must divide the 8 GPUs"));
}
