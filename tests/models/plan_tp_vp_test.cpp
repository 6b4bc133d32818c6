// fathom plan for training over tensor parallelism and the interleaved schedule's virtual stages (issue #15,
// docs/plan.md): the exact size and order of a hand-made space, layout rejections by the layers, the invariant that
// searching TP never does worse than the scenario's TP alone, each configuration priced exactly as its configured
// document read afresh, and a plan.tp entry that cannot divide the heads refused in one line.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>

#include "models/plan/plan_report.h"
#include "models/plan/training_plan.h"
#include "models/training/rank_memory.h"
#include "models/training/training_run.h"
#include "sim/error.h"
#include "sim/report.h"

using namespace fathom;
using namespace fathom::models::plan;

namespace {

const std::string kTp2Vp4 =
    std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-1024xh100-tp2-pp8-vp4.json";

// 128 nodes of 8 H100 (1,024 GPUs), the scenario's global batch of 8,192 sequences.
TrainingPlanSpec small_space() {
  TrainingPlanSpec s = read_training_plan(std::nullopt, 128);
  s.cluster_nodes = {128};
  s.pp = {4, 8};
  s.tp = {1, 2};
  s.ep = {64};
  s.schedules = {"1f1b", "interleaved_1f1b"};
  s.virtual_stages = {1, 2, 8};
  s.micro_batch_sequences = {1};
  return s;
}

}  // namespace

TEST_CASE("training plan over TP and VP: the space's exact size and order, layers refusing PP x VP", "[unit]") {
  const ScenarioDocument doc = load_scenario(kTp2Vp4);
  const TrainingPlanSpec s = small_space();
  const std::vector<TrainingOutcome> outcomes = evaluate_training(doc, s, {}, {});
  // nodes 1 x PP 2 x TP 2 x EP 1 x (1f1b at VP1 + interleaved_1f1b at VP 1, 2, 8) x mbs 1 = 16.
  REQUIRE(outcomes.size() == 16);
  // Order: nodes, PP, TP, EP, schedule, virtual stages, micro-batch size.
  using Key = std::tuple<int64_t, int64_t, std::string, int64_t>;  // pp, tp, schedule, vp
  std::vector<Key> keys;
  for (const TrainingOutcome& o : outcomes) {
    const TrainingConfig& c = o.point.config;
    keys.emplace_back(c.pp, c.tp, c.schedule, c.virtual_stages);
  }
  CHECK(keys.front() == Key{4, 1, "1f1b", 1});
  CHECK(keys[1] == Key{4, 1, "interleaved_1f1b", 1});
  CHECK(keys[3] == Key{4, 1, "interleaved_1f1b", 8});
  CHECK(keys[4] == Key{4, 2, "1f1b", 1});
  CHECK(keys.back() == Key{8, 2, "interleaved_1f1b", 8});
  int64_t layout = 0;
  for (const TrainingOutcome& o : outcomes) {
    const TrainingConfig& c = o.point.config;
    INFO("PP" << c.pp << " TP" << c.tp << " " << c.schedule << " VP" << c.virtual_stages << ": " << o.why);
    // DeepSeek-V3's 61 layers: PP8 x VP8 = 64 stages are too many; PP4 x VP8 = 32 are not.
    const bool too_many_stages = c.pp * c.virtual_stages > 61;
    CHECK((o.rejection == Rejection::layout) == too_many_stages);
    if (o.rejection == Rejection::layout) ++layout;
    // DP = GPUs / (PP x TP); the micro-batches fill the 8,192-sequence batch.
    if (o.rejection != Rejection::layout) CHECK(o.point.config.micro_batches * (1024 / (c.pp * c.tp)) == 8192);
  }
  CHECK(layout == 2);
  const TrainingPlanResult r = collect_training(doc, s, outcomes);
  CHECK(r.configurations == 16);
  CHECK(r.rejected.count[size_t(Rejection::layout)] == 2);
  CHECK(r.feasible + r.rejected.count[size_t(Rejection::memory)] == 14);
  const Report rep = training_plan_report(r, "test");
  check_report(rep);
  CHECK(rep.data["space"]["tp"] == nlohmann::json({1, 2}));
  CHECK(rep.data["space"]["virtual_stages"] == nlohmann::json({1, 2, 8}));
}

TEST_CASE("training plan over TP and VP: without plan lists, the scenario's TP and VP, labels and JSON name them",
          "[unit]") {
  const ScenarioDocument doc = load_scenario(kTp2Vp4);
  TrainingPlanSpec s = read_training_plan(std::nullopt, 128);
  CHECK(std::find(s.schedules.begin(), s.schedules.end(), "interleaved_1f1b") == s.schedules.end());
  s.cluster_nodes = {128};
  s.pp = {8};
  s.ep = {64};
  s.schedules = {"interleaved_1f1b"};
  s.micro_batch_sequences = {1};
  const TrainingPlanResult r = plan_training(doc, s);
  REQUIRE(r.configurations == 1);
  CHECK(r.spec.tp == std::vector<int64_t>{2});
  CHECK(r.spec.virtual_stages == std::vector<int64_t>{4});
  REQUIRE(r.feasible == 1);  // the scenario's own layout (61.8 GB on its worst rank in `fathom run`)
  const Report rep = training_plan_report(r, "test");
  CHECK(rep.data["best"]["tp"] == 2);
  CHECK(rep.data["best"]["vp"] == 4);
  CHECK(rep.data["best"]["label"] == "128n TP2 PP8 VP4 EP64 DP64 interleaved_1f1b mbs1 x128");
  // The search's point is fathom run's prediction of the scenario at fidelity=analytic.
  ProvenanceLog log;
  const ScenarioDocument analytic = load_scenario(kTp2Vp4, {"fidelity=analytic"});
  const auto p = models::training::predict_training(models::training::read_training_scenario(analytic, log));
  CHECK(r.best.front().step_s == p.step.step_s);
}

TEST_CASE("training plan over TP and VP: plan.virtual_stages adds interleaved_1f1b to the default schedules",
          "[unit]") {
  const nlohmann::json plan = {{"virtual_stages", {1, 2}}, {"tp", {1, 2, 4, 8}}};
  const TrainingPlanSpec s = read_training_plan(SpecReader(plan, "x.json", "plan"), 128);
  CHECK(s.schedules.back() == "interleaved_1f1b");
  CHECK(s.schedules.size() == 5);
  CHECK(s.tp == std::vector<int64_t>{1, 2, 4, 8});
  const nlohmann::json named = {{"virtual_stages", {2}}, {"schedules", {"1f1b"}}};
  CHECK(read_training_plan(SpecReader(named, "x.json", "plan"), 128).schedules == std::vector<std::string>{"1f1b"});
  const nlohmann::json zero = {{"virtual_stages", {2, 0}}};
  CHECK_THROWS_WITH(read_training_plan(SpecReader(zero, "x.json", "plan"), 128),
                    Catch::Contains("x.json: plan.virtual_stages.1: 0 is outside"));
}

TEST_CASE("training plan over TP: the best is never worse than the scenario's TP alone, whose points it keeps",
          "[unit]") {
  const ScenarioDocument doc = load_scenario(kTp2Vp4);
  TrainingPlanSpec fixed = read_training_plan(std::nullopt, 128);
  fixed.cluster_nodes = {64, 128};
  fixed.pp = {8, 16};
  fixed.ep = {32, 64};
  fixed.schedules = {"1f1b", "dualpipev"};
  fixed.micro_batch_sequences = {1, 2};
  TrainingPlanSpec searched = fixed;
  searched.tp = {1, 2, 4, 8};
  for (const std::string objective : {"time", "cost"}) {
    fixed.objective = searched.objective = objective;
    fixed.top = searched.top = 1000;
    const TrainingPlanResult a = plan_training(doc, fixed);
    const TrainingPlanResult b = plan_training(doc, searched);
    CHECK(b.configurations == 4 * a.configurations);
    REQUIRE(!a.best.empty());
    REQUIRE(!b.best.empty());
    if (objective == "time") {
      CHECK(b.best.front().days <= a.best.front().days);
    } else {
      CHECK(b.best.front().cost_usd <= a.best.front().cost_usd);
    }
    // Every TP2 point of the wider search is the fixed search's, to the bit.
    using Key = std::tuple<int64_t, int64_t, int64_t, std::string, int64_t>;  // nodes, pp, ep, schedule, mbs
    const auto key = [](const TrainingConfig& c) {
      return Key{c.nodes, c.pp, c.ep, c.schedule, c.micro_batch_sequences};
    };
    std::map<Key, double> days_of;
    for (const TrainingPoint& p : a.best) days_of[key(p.config)] = p.days;
    int64_t tp2 = 0;
    for (const TrainingPoint& p : b.best) {
      if (p.config.tp != 2) continue;
      ++tp2;
      REQUIRE(days_of.count(key(p.config)) == 1);
      CHECK(days_of[key(p.config)] == p.days);
    }
    CHECK(tp2 == a.feasible);
  }
}

TEST_CASE("training plan over TP and VP: each configuration priced exactly as its configured document read afresh",
          "[unit]") {
  // with_layout on the scenario read once with the configuration's TP and virtual stages, and the caches, change
  // nothing: the step, GPU-hours and worst rank equal a fresh read of the configured document without any cache.
  namespace tr = fathom::models::training;
  const ScenarioDocument doc = load_scenario(kTp2Vp4);
  TrainingPlanSpec s = read_training_plan(std::nullopt, 128);
  s.cluster_nodes = {128};
  s.pp = {8};
  s.tp = {1, 2, 4};
  s.ep = {64};
  s.schedules = {"interleaved_1f1b", "1f1b"};
  s.virtual_stages = {1, 2, 4};
  s.micro_batch_sequences = {1};
  const std::vector<TrainingOutcome> outcomes = evaluate_training(doc, s, {}, {});
  REQUIRE(outcomes.size() == 12);
  int priced = 0;
  for (const TrainingOutcome& o : outcomes) {
    const TrainingConfig& c = o.point.config;
    INFO("TP" << c.tp << " " << c.schedule << " VP" << c.virtual_stages << ": " << o.why);
    REQUIRE(o.rejection != Rejection::layout);
    ProvenanceLog log;
    const tr::TrainingScenario alone = tr::read_training_scenario(configured_training_document(doc, c), log);
    CHECK(alone.layout.tp == c.tp);
    CHECK(alone.spec.virtual_stages == c.virtual_stages);
    const tr::TrainingPrediction p = tr::predict_training(alone);
    const tr::TrainingMemory m = tr::training_memory(alone, p);
    CHECK(m.fits == (o.rejection == Rejection::none));
    if (o.rejection != Rejection::none) continue;
    CHECK(o.point.step_s == p.step.step_s);
    CHECK(o.point.gpu_hours == p.gpu_hours);
    CHECK(o.point.worst_rank_bytes == m.per_rank.at(size_t(m.worst_rank)).total_bytes);
    ++priced;
  }
  CHECK(priced > 0);
}

TEST_CASE("training plan over TP: a plan.tp entry that divides no layout is refused in one line", "[unit]") {
  const std::string file = "deepseek-v3-pretrain-1024xh100-tp2-pp8-vp4.json";
  const auto plan_of = [&](const std::string& plan) {
    const ScenarioDocument doc = load_scenario(kTp2Vp4, {"plan=" + plan});
    const TrainingPlanSpec s = read_training_plan(SpecReader(doc.root["plan"], doc.label, "plan"), 128);
    return plan_training(doc, s);
  };
  CHECK_THROWS_AS(plan_of(R"({"tp": [2, 3]})"), InputError);
  CHECK_THROWS_WITH(plan_of(R"({"tp": [2, 3]})"),
                    Catch::Contains(file + ": plan.tp.1: 3 does not divide the model's 128 attention heads"));
  CHECK_THROWS_WITH(plan_of(R"({"tp": [16]})"),
                    Catch::Contains(file + ": plan.tp.0: 16 must divide the 8 GPUs of a node"));
  CHECK_THROWS_WITH(plan_of(R"({"tp": [0]})"), Catch::Contains(file + ": plan.tp.0: 0 is outside"));
}

TEST_CASE("training plan over TP: on NVL72 a TP group may span trays of the rack's NVLink domain", "[unit]") {
  // GB200 trays hold 4 GPUs; the domain is the rack's 72 (tp_group_misfit, as the training reader rules).
  const ScenarioDocument doc =
      load_scenario(std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-gb200-nvl72.json",
                    {R"(plan={"tp": [8], "cluster_nodes": [288], "pp": [16], "ep": [8], "schedules": ["dualpipe"],
                        "micro_batch_sequences": [1]})"});
  const TrainingPlanSpec s = read_training_plan(SpecReader(doc.root["plan"], doc.label, "plan"), 288);
  const TrainingPlanResult r = plan_training(doc, s);
  REQUIRE(r.configurations == 1);
  CHECK(r.spec.tp == std::vector<int64_t>{8});
  CHECK_THROWS_WITH(
      plan_training(doc,
                    read_training_plan(SpecReader(nlohmann::json::parse(R"({"tp": [16]})"), doc.label, "plan"), 288)),
      Catch::Contains("plan.tp.0: 16 must divide the 72 GPUs"));
}

TEST_CASE("training plan over TP: a micro-batch's tokens that TP does not divide reject that configuration alone",
          "[unit]") {
  // Sequence parallelism splits a micro-batch's tokens over the TP group (derive_layout): 4,095-token sequences
  // take TP2 only at 2 sequences per micro-batch.
  const ScenarioDocument doc =
      load_scenario(std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xh800.json",
                    {"training.sequence_length=4095"});
  TrainingPlanSpec s = read_training_plan(std::nullopt, 256);
  s.cluster_nodes = {256};
  s.pp = {16};
  s.tp = {1, 2};
  s.ep = {64};
  s.schedules = {"dualpipe"};
  s.micro_batch_sequences = {1, 2};
  const std::vector<TrainingOutcome> outcomes = evaluate_training(doc, s, {}, {});
  REQUIRE(outcomes.size() == 4);
  for (const TrainingOutcome& o : outcomes) {
    const TrainingConfig& c = o.point.config;
    INFO("TP" << c.tp << " mbs" << c.micro_batch_sequences << ": " << o.why);
    if (c.tp == 2 && c.micro_batch_sequences == 1) {
      CHECK(o.rejection == Rejection::layout);
      CHECK_THAT(o.why, Catch::Contains("parallelism.tp: 2 does not divide the 4095 tokens of a micro-batch"));
    } else {
      CHECK(o.rejection != Rejection::layout);
    }
  }
}
