// The resource guards' estimates (training_budget.h, serving_budget.h, storage_scenario.h) against what the
// builders really build, and the refusals of absurd sizes before anything is built.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "models/serving/serving_budget.h"
#include "models/storage/storage_scenario.h"
#include "models/storage/workloads.h"
#include "models/training/training_budget.h"
#include "models/training/training_run.h"
#include "sim/error.h"
#include "sim/flow_network.h"

namespace tr = fathom::models::training;
namespace st = fathom::models::storage;
using fathom::InputError;

namespace {

const std::string kTraining = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xh800.json";
const std::string kInterleaved =
    std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-1024xh100-tp2-pp8-vp4.json";
const std::string kGraysort = std::string(FATHOM_SOURCE_DIR) + "/scenarios/3fs-graysort-25-nodes.json";

tr::TrainingScenario training(std::vector<std::string> sets) {
  fathom::ProvenanceLog log;
  return tr::read_training_scenario(fathom::load_scenario(kTraining, sets), log);
}

tr::TrainingWorkShape shape_of(const tr::TrainingScenario& s, int64_t replicas = 1) {
  return {.fidelity = s.fidelity,
          .schedule = s.spec.schedule,
          .pp = s.layout.pp,
          .virtual_stages = s.spec.virtual_stages,
          .micro_batches = s.spec.micro_batches,
          .layers = s.model.arch.layers,
          .replicas = replicas};
}

// A small pipeline: pp 4 x 8 micro-batches (DualPipe), 512 pipelines of the 2,048 GPUs.
const std::vector<std::string> kSmall = {"parallelism.pp=4", "training.micro_batches=8",
                                         "training.global_batch_sequences=4096"};

}  // namespace

TEST_CASE("training estimate: engine tasks within a factor of two of the step's, at event and flow", "[unit]") {
  for (const char* fidelity : {"event", "flow"}) {
    INFO(fidelity);
    std::vector<std::string> sets = kSmall;
    sets.push_back(std::string("fidelity=") + fidelity);
    const tr::TrainingScenario s = training(sets);
    const double estimated = tr::estimate_training_work(shape_of(s)).items;
    const double built = tr::predict_training(s).step.tasks;
    CHECK(estimated >= 0.5 * built);
    CHECK(estimated <= 2.0 * built);
  }
}

TEST_CASE("training estimate: interleaved 1F1B counts its v chunks per rank", "[unit]") {
  // PP8 VP4: 32 stages on 8 ranks; an estimate of 8 stages would be 4x short of the engine tasks built.
  fathom::ProvenanceLog log;
  const tr::TrainingScenario s = tr::read_training_scenario(fathom::load_scenario(kInterleaved, {}), log);
  REQUIRE(s.spec.virtual_stages == 4);
  const double estimated = tr::estimate_training_work(shape_of(s)).items;
  const double built = tr::predict_training(s).step.tasks;
  CHECK(estimated >= 0.5 * built);
  CHECK(estimated <= 2.0 * built);
  tr::TrainingWorkShape one_chunk = shape_of(s);
  one_chunk.virtual_stages = 1;
  CHECK(estimated == 4 * tr::estimate_training_work(one_chunk).items);
}

TEST_CASE("training estimate: folded, the data-parallel size costs nothing, unfolded it multiplies", "[unit]") {
  const tr::TrainingWorkShape folded{
      .fidelity = "flow", .schedule = "dualpipe", .pp = 16, .micro_batches = 120, .layers = 61};
  tr::TrainingWorkShape unfolded = folded;
  unfolded.replicas = 65536;
  CHECK(tr::estimate_training_work(unfolded).items == 65536 * tr::estimate_training_work(folded).items);
  CHECK_FALSE(tr::training_over_budget(folded));
  const auto why = tr::training_over_budget(unfolded);
  REQUIRE(why);
  CHECK(why->find("fidelity=flow with pp 16 x 120 micro-batches x 65,536 unfolded replicas needs ~") == 0);
  CHECK(why->find("engine tasks") != std::string::npos);
}

TEST_CASE("training guard: a million GPUs unfolded at the flow level are refused before anything is built", "[unit]") {
  // 131,072 nodes x 8 = 1,048,576 GPUs, 65,536 pipelines of pp 16.
  const tr::TrainingScenario s =
      training({"fidelity=flow", "cluster.nodes=131072", "training.global_batch_sequences=7864320",
                "checkpoint.storage.cluster.clients=131072"});
  REQUIRE(s.layout.gpus == 1048576);
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(tr::predict_training(s, int(s.layout.dp)),
                    Catch::Contains("65,536 unfolded replicas") && Catch::Contains("engine tasks"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("training guard: a billion micro-batches are refused before the schedule is built", "[unit]") {
  for (const char* fidelity : {"analytic", "event", "flow"}) {
    INFO(fidelity);
    CHECK_THROWS_WITH(training({std::string("fidelity=") + fidelity, "training.micro_batches=1000000000",
                                "training.global_batch_sequences=128000000000"}),
                      Catch::Contains("training.micro_batches: fidelity=") &&
                          Catch::Contains("1,000,000,000 micro-batches") && Catch::Contains("budget"));
  }
  // A micro-batch count beyond int (the schedule's type) never reaches the schedule.
  CHECK_THROWS_AS(training({"training.micro_batches=4294967416", "training.global_batch_sequences=549755829248"}),
                  InputError);
}

TEST_CASE("training guard: an absurd batch-ramp segment count is refused", "[unit]") {
  CHECK_THROWS_WITH(training({"training.batch_ramp.segments=1000000000000"}),
                    Catch::Contains("batch-ramp segments") && Catch::Contains("budget"));
}

TEST_CASE("storage estimate: the flows plan_workload builds", "[unit]") {
  fathom::ProvenanceLog log;
  for (const bool per_chain : {false, true}) {
    INFO(per_chain);
    const fathom::ScenarioDocument doc =
        fathom::load_scenario(kGraysort, {"storage.workload=graysort",
                                          std::string("storage.fold.per_chain=") + (per_chain ? "true" : "false"),
                                          "storage.fold.clients=4", "storage.fold.storage_nodes=5"});
    const st::StorageScenario s = st::read_storage_scenario(doc, log);
    const st::StoragePlan plan = st::plan_workload(s.cluster, s.fs, s.workload);
    size_t flows = 0;
    for (const auto& phase : plan.phases) flows += phase.fabric.network().flows().size();
    CHECK(st::estimate_storage_work(s.cluster, s.fs, s.workload).items == double(flows));
  }
}

TEST_CASE("storage guard: a million clients unfolded are refused at storage.fold", "[unit]") {
  fathom::ProvenanceLog log;
  const fathom::ScenarioDocument doc = fathom::load_scenario(
      kGraysort, {"storage.cluster.clients=1000000", "storage.fold.clients=0", "storage.fold.storage_nodes=0"});
  CHECK_THROWS_WITH(st::read_storage_scenario(doc, log),
                    Catch::Contains("storage.fold: needs ~") && Catch::Contains("flows"));
}

TEST_CASE("serving estimate: the count that dominates is the one named", "[unit]") {
  namespace sv = fathom::models::serving;
  CHECK_FALSE(sv::serving_over_budget({.windows = 48,
                                       .decode_table_rows = 157,
                                       .requests = 2.4e6,
                                       .peak_window_requests = 1.8e5,
                                       .decode_steps = 1.4e5}));
  const auto windows = sv::serving_over_budget({.windows = 8.64e9, .decode_table_rows = 157});
  REQUIRE(windows);
  CHECK(windows->find("autoscaling.window: ") == 0);
  const auto rows = sv::serving_over_budget({.windows = 48, .decode_table_rows = 1e9});
  REQUIRE(rows);
  CHECK(rows->find("decode: ") == 0);
  const auto requests = sv::serving_over_budget(
      {.windows = 48, .decode_table_rows = 157, .requests = 1e12, .peak_window_requests = 1e10, .decode_steps = 1e6});
  REQUIRE(requests);
  CHECK(requests->find("simulation.seconds_per_window: ") == 0);
  CHECK(requests->find("simulated requests") != std::string::npos);
}
