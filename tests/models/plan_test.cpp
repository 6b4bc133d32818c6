// fathom plan (models/plan): the Pareto front on exact cases, the serving and training searches on small
// hand-checkable spaces (the search's best is the minimum of the configurations priced one by one; rejections
// counted exactly; a monotone batch-limit sweep), and determinism of the search.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <limits>

#include "models/plan/pareto.h"
#include "models/plan/plan_report.h"
#include "models/plan/serving_plan.h"
#include "models/plan/training_plan.h"
#include "models/serving/serving_inputs.h"
#include "models/training/rank_memory.h"
#include "models/training/training_run.h"
#include "sim/error.h"
#include "sim/report.h"

using namespace fathom;
using namespace fathom::models::plan;

namespace {

const std::string kServing = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-r1-serving-day.json";
const std::string kTraining = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xh800.json";

ServingPlanSpec tiny_serving_space() {
  ServingPlanSpec s = read_serving_plan(std::nullopt);
  s.node_types = {{"hw/nodes/h800-8gpu.json", std::nullopt, std::nullopt}};
  s.prefill_nodes_per_unit = {4};
  s.decode_nodes_per_unit = {18};
  s.redundant_experts = {32};
  s.decode_batch_limits = {0};
  s.mtp = {true};
  s.check_best = false;
  return s;
}

ServingPlanResult plan_of(const ServingPlanSpec& spec, const std::vector<std::string>& sets = {}) {
  const ScenarioDocument doc = load_scenario(kServing, sets);
  return plan_serving(serving_node_types(doc, spec), spec);
}

}  // namespace

TEST_CASE("pareto front: exact cases, dominated points dropped, duplicates kept once", "[unit]") {
  CHECK(pareto_front({}).empty());
  CHECK(pareto_front({{1, 1}}) == std::vector<size_t>{0});
  // 0 (1,5) front; 1 (2,4) front; 2 (2,4) duplicate of 1; 3 (3,1) front; 4 (1,1) dominated; 5 (2,3) dominated by 1
  const std::vector<Objectives> p = {{1, 5}, {2, 4}, {2, 4}, {3, 1}, {1, 1}, {2, 3}};
  CHECK(pareto_front(p) == std::vector<size_t>{3, 1, 0});
  // Same first objective: only the best second survives; NaN never kept.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(pareto_front({{2, 1}, {2, 7}, {nan, 9}, {1, 7}}) == std::vector<size_t>{1});
  // A strictly anti-correlated set is all front.
  CHECK(pareto_front({{1, 3}, {3, 1}, {2, 2}}) == std::vector<size_t>{1, 2, 0});
}

TEST_CASE("pareto front: no kept point dominated, every dropped point dominated (brute force)", "[unit]") {
  std::vector<Objectives> p;
  for (int i = 0; i < 200; ++i) p.push_back({double((i * 37) % 23), double((i * 11) % 19)});
  const std::vector<size_t> front = pareto_front(p);
  const auto dominates = [](const Objectives& a, const Objectives& b) {
    return a[0] >= b[0] && a[1] >= b[1] && (a[0] > b[0] || a[1] > b[1]);
  };
  std::vector<bool> kept(p.size(), false);
  for (const size_t i : front) kept[i] = true;
  for (size_t i = 0; i < p.size(); ++i) {
    bool dominated = false, earlier_twin = false;
    for (size_t j = 0; j < p.size(); ++j) {
      dominated = dominated || dominates(p[j], p[i]);
      earlier_twin = earlier_twin || (j < i && p[j] == p[i]);
    }
    CHECK(kept[i] == (!dominated && !earlier_twin));
  }
}

TEST_CASE("serving plan: the best is the cheapest of the configurations priced one by one", "[unit]") {
  ServingPlanSpec all = tiny_serving_space();
  all.prefill_nodes_per_unit = {2, 4};
  all.decode_nodes_per_unit = {9, 18};
  all.decode_batch_limits = {0, 32};
  const ServingPlanResult r = plan_of(all);
  REQUIRE(r.configurations == 8);
  REQUIRE(r.feasible == 8);
  double cheapest = 1e300;
  for (const int64_t p : all.prefill_nodes_per_unit) {
    for (const int64_t d : all.decode_nodes_per_unit) {
      for (const int64_t b : all.decode_batch_limits) {
        ServingPlanSpec one = all;
        one.prefill_nodes_per_unit = {p};
        one.decode_nodes_per_unit = {d};
        one.decode_batch_limits = {b};
        const ServingPlanResult single = plan_of(one);
        REQUIRE(single.best.size() == 1);
        cheapest = std::min(cheapest, single.best.front().cost_usd_per_day);
      }
    }
  }
  CHECK(r.best.front().cost_usd_per_day == cheapest);
  for (size_t i = 1; i < r.best.size(); ++i) CHECK(r.best[i - 1].cost_usd_per_day <= r.best[i].cost_usd_per_day);
  // Every configuration of the best meets the speed SLO at its batch.
  for (const ServingPoint& p : r.best) CHECK(p.tokens_per_s_per_user >= 20.0);
}

TEST_CASE("serving plan: lower batch limits trade tokens per GPU for speed per user (a monotone front)", "[unit]") {
  ServingPlanSpec s = tiny_serving_space();
  s.decode_batch_limits = {0, 8, 16, 32};
  const ServingPlanResult r = plan_of(s);
  REQUIRE(r.feasible == 4);
  REQUIRE(r.best.front().config.decode_batch_limit == 0);  // the SLO batch is the largest, so the cheapest
  REQUIRE(r.best.front().batch_source != "limit");
  // Every limit is a distinct trade-off: all four on the throughput front, by tokens per GPU descending.
  REQUIRE(r.throughput_front.size() == 4);
  for (size_t i = 1; i < r.throughput_front.size(); ++i) {
    CHECK(r.throughput_front[i].output_tokens_per_s_per_gpu < r.throughput_front[i - 1].output_tokens_per_s_per_gpu);
    CHECK(r.throughput_front[i].tokens_per_s_per_user > r.throughput_front[i - 1].tokens_per_s_per_user);
  }
  CHECK(r.throughput_front.back().decode_batch_per_gpu == 8);
}

TEST_CASE("serving plan: rejections are counted exactly by reason", "[unit]") {
  ServingPlanSpec s = tiny_serving_space();
  s.prefill_nodes_per_unit = {4, 5};     // EP40 does not divide 256 + 32: layout
  s.decode_nodes_per_unit = {1, 3, 18};  // EP8 holds 36 experts per GPU per layer: memory
  const ServingPlanResult r = plan_of(s);
  CHECK(r.configurations == 6);
  CHECK(r.rejected.count[size_t(Rejection::layout)] == 3);
  CHECK(r.rejected.count[size_t(Rejection::memory)] == 1);
  CHECK(r.rejected.count[size_t(Rejection::slo)] == 0);
  CHECK(r.feasible == 2);
  CHECK(r.rejected.example[size_t(Rejection::layout)].find("EP40") != std::string::npos);

  // A speed target no GPU reaches at one request: every decode option fails the SLO.
  const ServingPlanResult slow = plan_of(tiny_serving_space(), {"slo.tokens_per_s_per_request=5000"});
  CHECK(slow.configurations == 1);
  CHECK(slow.rejected.count[size_t(Rejection::slo)] == 1);
  CHECK(slow.feasible == 0);
  CHECK(slow.best.empty());
}

TEST_CASE("serving plan: node types without a scale-out NIC are skipped with the reason", "[unit]") {
  ServingPlanSpec s = tiny_serving_space();
  s.node_types.clear();  // every file of hw/nodes/
  const ServingPlanResult r = plan_of(s);
  bool skipped_4090 = false, h100_warns = false;
  for (const ServingNodeType& t : r.node_types) {
    if (t.file == "hw/nodes/rtx4090-2gpu.json") skipped_4090 = t.skipped.find("scale-out NIC") != std::string::npos;
    if (t.file == "hw/nodes/h100-8gpu.json") h100_warns = t.calibration_mismatch.has_value();
  }
  CHECK(skipped_4090);
  CHECK(h100_warns);
  check_report(serving_plan_report(r, "test"));
}

TEST_CASE("serving plan: another GPU takes the library's calibration and GPU-hour price unless its entry names them",
          "[unit]") {
  ServingPlanSpec s = tiny_serving_space();
  s.node_types = {{"hw/nodes/h800-8gpu.json", std::nullopt, std::nullopt},
                  {"hw/nodes/hgx-b200-8gpu.json", std::nullopt, std::nullopt},
                  {"hw/nodes/h200-8gpu.json", "calibration/h800.json", UsdPerHour(7.0)}};
  const ScenarioDocument doc = load_scenario(kServing);
  const std::vector<ServingNodeType> t = serving_node_types(doc, s);
  REQUIRE(t.size() == 3);
  for (const ServingNodeType& type : t) REQUIRE(type.inputs);
  // The scenario's own GPU: its calibration and price (T19, 2 USD/h).
  CHECK(t[0].calibration == "calibration/h800.json");
  CHECK(t[0].inputs->economics.gpu_hour_price.value() == Approx(2.0));
  CHECK(t[0].price_source == "the scenario's economics.gpu_hour_price");
  // B200: the Blackwell file (its device names B200) and the table's 4.5 USD/h.
  CHECK(t[1].calibration == "calibration/blackwell-from-h800.json");
  CHECK(t[1].inputs->economics.gpu_hour_price.value() == Approx(4.5));
  CHECK(t[1].price_source.find("hw/gpu-hour-prices.json") == 0);
  REQUIRE(t[1].calibration_mismatch);
  CHECK(t[1].calibration_mismatch->scaled);
  // An entry's own calibration and price win.
  CHECK(t[2].calibration == "calibration/h800.json");
  CHECK(t[2].inputs->economics.gpu_hour_price.value() == Approx(7.0));
  CHECK(t[2].price_source == "plan.node_types.2.gpu_hour_price");
  // No price for the GPU anywhere: skipped, saying which key to give.
  const auto dir = std::filesystem::temp_directory_path() / "fathom-plan-prices-test";
  std::filesystem::create_directories(dir / "hw");
  std::ofstream(dir / "hw" / "gpu-hour-prices.json") << R"({"prices": {}})";
  ScenarioDocument elsewhere = doc;
  elsewhere.search_dirs.insert(elsewhere.search_dirs.begin(), elsewhere.base_dir);
  elsewhere.base_dir = dir;
  const std::vector<ServingNodeType> unpriced = serving_node_types(elsewhere, s);
  CHECK(unpriced[0].skipped.empty());
  CHECK(unpriced[1].skipped.find("no GPU-hour price for NVIDIA B200") != std::string::npos);
  CHECK(unpriced[1].skipped.find("plan.node_types.1.gpu_hour_price") != std::string::npos);
  CHECK(unpriced[2].skipped.empty());
  std::filesystem::remove_all(dir);
}

TEST_CASE("serving plan: the same input gives the same report", "[unit]") {
  ServingPlanSpec s = tiny_serving_space();
  s.decode_nodes_per_unit = {4, 9, 18};
  s.decode_batch_limits = {0, 16};
  const std::string a = serving_plan_report(plan_of(s), "t").data.dump();
  const std::string b = serving_plan_report(plan_of(s), "t").data.dump();
  CHECK(a == b);
}

TEST_CASE("serving plan: a node type with other GPUs per node keeps the scenario's EP in its nodes", "[unit]") {
  // The scenario's EP32 prefill over 4 nodes and EP144 decode over 18 read as 8 and 36 trays of 4 GB200s. Without
  // prefix-cache hits (a tray file has no storage NIC) the trays are searched; with them, skipped for that reason.
  ServingPlanSpec s = tiny_serving_space();
  s.node_types = {{"hw/nodes/gb200-nvl72-tray.json", std::nullopt, std::nullopt}};
  s.prefill_nodes_per_unit = {8};
  s.decode_nodes_per_unit = {36};
  const ServingPlanResult r = plan_of(s, {"traffic.cache_hit_fraction=0"});
  REQUIRE(r.node_types.size() == 1);
  CHECK(r.node_types[0].skipped.empty());
  REQUIRE(r.node_types[0].inputs);
  CHECK(r.node_types[0].inputs->spec.prefill.unit.gpus == 32);
  CHECK(r.node_types[0].inputs->spec.decode.unit.gpus == 144);
  REQUIRE(!r.best.empty());
  CHECK(r.best.front().config.decode_nodes == 36);
  const std::vector<ServingNodeType> with_hits = serving_node_types(load_scenario(kServing), s);
  CHECK(with_hits[0].skipped.find("storage_nic") != std::string::npos);
}

TEST_CASE("serving plan: split over shards and collected, the same report as one search", "[unit]") {
  ServingPlanSpec s = tiny_serving_space();
  s.node_types = {{"hw/nodes/h800-8gpu.json", std::nullopt, std::nullopt},
                  {"hw/nodes/h200-8gpu.json", std::nullopt, std::nullopt}};
  s.prefill_nodes_per_unit = {2, 4};
  s.decode_nodes_per_unit = {4, 9, 18};
  s.decode_batch_limits = {0, 16};
  s.mtp = {};  // on and off
  const ScenarioDocument doc = load_scenario(kServing);
  const std::string one = serving_plan_report(plan_of(s), "t").data.dump();
  for (const int64_t count : {2, 3, 7}) {  // 7: more shards than some contexts have pricings
    INFO(count << " shards");
    const std::vector<ServingNodeType> types = serving_node_types(doc, s);
    std::vector<std::string> parts;
    for (int64_t i = count - 1; i >= 0; --i) parts.push_back(price_serving_phases(types, s, {i, count}));
    CHECK(serving_plan_report(collect_serving(types, s, parts), "t").data.dump() == one);
  }
  // A missing share, a share twice and bytes from elsewhere are refused.
  const std::vector<ServingNodeType> types = serving_node_types(doc, s);
  const std::string half = price_serving_phases(types, s, {0, 2});
  CHECK_THROWS(collect_serving(types, s, {half}));
  CHECK_THROWS_AS(collect_serving(types, s, {half, half}), fathom::InputError);
  CHECK_THROWS_AS(collect_serving(types, s, {"not msgpack"}), fathom::InputError);
}

TEST_CASE("training plan: the best is the fastest of the configurations, and all fit in HBM", "[unit]") {
  const ScenarioDocument doc = load_scenario(kTraining);
  TrainingPlanSpec s = read_training_plan(std::nullopt, 256);
  s.cluster_nodes = {256};
  s.pp = {8, 16};
  s.ep = {64};
  s.schedules = {"dualpipe", "1f1b"};
  s.micro_batch_sequences = {1};
  const TrainingPlanResult r = plan_training(doc, s);
  CHECK(r.configurations == 4);
  CHECK(r.feasible + r.rejected.total() == 4);
  REQUIRE(!r.best.empty());
  double fastest = 1e300;
  for (const TrainingPoint& p : r.best) {
    fastest = std::min(fastest, p.days);
    CHECK(p.worst_rank_bytes <= p.hbm_bytes);
  }
  CHECK(r.best.front().days == fastest);
  check_report(training_plan_report(r, "test"));
}

TEST_CASE("training plan: layout rejections counted exactly", "[unit]") {
  const ScenarioDocument doc = load_scenario(kTraining);
  TrainingPlanSpec s = read_training_plan(std::nullopt, 256);
  s.cluster_nodes = {256};
  s.pp = {16};
  s.ep = {64, 3};  // EP3 divides neither a stage's 128 GPUs nor the experts
  s.schedules = {"dualpipe"};
  s.micro_batch_sequences = {1, 7};  // 15360 sequences do not split into 128 x 7
  const TrainingPlanResult r = plan_training(doc, s);
  CHECK(r.configurations == 4);
  CHECK(r.rejected.count[size_t(Rejection::layout)] == 3);
  CHECK(r.feasible + r.rejected.count[size_t(Rejection::memory)] == 1);
}

TEST_CASE("training plan: the scenario's tensor parallelism is kept, DP = GPUs / (PP x TP)", "[unit]") {
  // 1,024 H100 at TP2: PP8 leaves 128 GPUs per stage, DP 64, so the 8,192-sequence batch is 128 micro-batches
  // (before the fix the search took DP = 128 and refused every configuration).
  const ScenarioDocument doc =
      load_scenario(std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-1024xh100-tp2-pp8-vp4.json");
  TrainingPlanSpec s = read_training_plan(std::nullopt, 128);
  s.cluster_nodes = {128};
  s.pp = {8};
  s.ep = {64};
  s.schedules = {"1f1b"};
  s.micro_batch_sequences = {1};
  const std::vector<TrainingOutcome> outcomes = evaluate_training(doc, s, {}, {});
  REQUIRE(outcomes.size() == 1);
  const TrainingOutcome& o = outcomes.front();
  INFO(o.why);
  REQUIRE(o.rejection != Rejection::layout);
  CHECK(o.point.config.micro_batches == 128);
  if (o.rejection != Rejection::none) return;
  CHECK(o.point.dp == 64);
  const Report rep = training_plan_report(plan_training(doc, s), "test");
  CHECK(rep.data["best"]["tp"] == 2);
  CHECK(rep.data["best"]["label"] == "128n TP2 PP8 EP64 DP64 1f1b mbs1 x128");
}

TEST_CASE("training plan: each configuration priced exactly as fathom run prices its scenario", "[unit]") {
  // The search's caches (with_layout, the folded schedules, the cached blocks, stages and activation bytes)
  // change nothing: every configuration's outcome equals reading its configured document and predicting it
  // with no cache at all.
  namespace tr = fathom::models::training;
  const ScenarioDocument doc = load_scenario(kTraining);
  TrainingPlanSpec s = read_training_plan(std::nullopt, 256);
  s.cluster_nodes = {128, 256};
  s.pp = {8, 16};
  s.ep = {32, 64};
  s.schedules = {"dualpipe", "1f1b", "zb1p"};
  s.micro_batch_sequences = {1, 2};
  const std::vector<TrainingOutcome> outcomes = evaluate_training(doc, s, {}, {});
  int priced = 0, refused_by_memory = 0;
  for (const TrainingOutcome& o : outcomes) {
    if (o.rejection == Rejection::layout) continue;
    const TrainingConfig& c = o.point.config;
    INFO(c.nodes << " nodes PP" << c.pp << " EP" << c.ep << " " << c.schedule << " x" << c.micro_batch_sequences);
    fathom::ProvenanceLog log;
    const ScenarioDocument configured = configured_training_document(doc, c);
    const tr::TrainingScenario alone = tr::read_training_scenario(configured, log);
    const tr::TrainingPrediction p = tr::predict_training(alone);
    const tr::TrainingMemory m = tr::training_memory(alone, p);
    if (o.rejection == Rejection::memory) {
      CHECK_FALSE(m.fits);
      ++refused_by_memory;
      continue;
    }
    REQUIRE(o.rejection == Rejection::none);
    CHECK(m.fits);
    CHECK(o.point.step_s == p.step.step_s);
    CHECK(o.point.gpu_hours == p.gpu_hours);
    CHECK(o.point.worst_rank_bytes == m.per_rank.at(size_t(m.worst_rank)).total_bytes);
    ++priced;
  }
  CHECK(priced > 0);
  CHECK(refused_by_memory > 0);
}
