// `fathom plan` through the built binary: the shipped serving and training scenarios with invariants (the
// best configuration meets the SLO in the window simulation / fits in HBM, the fronts are non-dominated, the
// rejections add up), byte-identical JSON on a second run, and the text report.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "support/cli_runner.h"

using fathom::test::run_fathom;

namespace {
const std::string kServing = "plan scenarios/deepseek-v3-r1-serving-day.json --set simulation.seconds_per_window=60s ";
// The scenario's own cluster size only (the default space's four sizes take ~20 s per run on 2 cores).
const std::string kTraining =
    "plan scenarios/deepseek-v3-pretrain-2048xh800.json --set 'plan={\"cluster_nodes\":[256]}' ";

void check_counts(const nlohmann::json& j) {
  int64_t rejected = 0;
  for (const auto& row : j["rejections"]) rejected += row["count"].get<int64_t>();
  CHECK(rejected == j["rejected"]["total"].get<int64_t>());
  CHECK(j["feasible"].get<int64_t>() + j.value("same_as_no_limit", int64_t{0}) + rejected ==
        j["configurations"].get<int64_t>());
}

}  // namespace

TEST_CASE("fathom plan serving: the best meets the SLO, fronts are non-dominated, same bytes twice", "[smoke]") {
  const auto r = run_fathom(kServing + "--json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["kind"] == "plan");
  CHECK(j["target"] == "serving");
  check_counts(j);
  REQUIRE(j["best"].is_object());
  CHECK(j["best"]["tokens_per_s_per_user"].get<double>() >= 20.0);
  CHECK(j["check"]["slo_met_every_window"] == true);
  // The best by cost is the cheapest point of the cost front.
  const auto& front = j["cost_front"];
  REQUIRE(!front.empty());
  for (const auto& p : front) CHECK(p["cost_usd_per_day"].get<double>() >= j["best"]["cost_usd_per_day"].get<double>());
  // Along the throughput front, tokens/s per GPU falls as tokens/s per user rises.
  const auto& tf = j["throughput_front"];
  for (size_t i = 1; i < tf.size(); ++i) {
    CHECK(tf[i]["output_tokens_per_s_per_gpu"].get<double>() < tf[i - 1]["output_tokens_per_s_per_gpu"].get<double>());
    CHECK(tf[i]["tokens_per_s_per_user"].get<double>() > tf[i - 1]["tokens_per_s_per_user"].get<double>());
  }
  const auto again = run_fathom(kServing + "--json");
  CHECK(again.out == r.out);
}

TEST_CASE("fathom plan training: the best fits in HBM and is the fastest of the front", "[smoke]") {
  const auto r = run_fathom(kTraining + "--json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["target"] == "training");
  check_counts(j);
  REQUIRE(j["best"].is_object());
  CHECK(j["best"]["worst_rank_bytes"].get<double>() <= j["best"]["hbm_bytes"].get<double>());
  CHECK(j["front"][0]["days"].get<double>() == j["best"]["days"].get<double>());
  for (size_t i = 1; i < j["front"].size(); ++i) {
    CHECK(j["front"][i]["days"].get<double>() > j["front"][i - 1]["days"].get<double>());
    CHECK(j["front"][i]["cost_usd"].get<double>() < j["front"][i - 1]["cost_usd"].get<double>());
  }
  const auto again = run_fathom(kTraining + "--json");
  CHECK(again.out == r.out);
  const auto text = run_fathom(kTraining);
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("Pareto front: cost vs time") != std::string::npos);
}

TEST_CASE("fathom run accepts a scenario with a plan section", "[smoke]") {
  const auto r = run_fathom(
      "run scenarios/deepseek-v3-pretrain-2048xh800.json --set fidelity=analytic --set 'plan={\"pp\":[8]}' --json");
  INFO(r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("fathom plan --bands samples the best configuration", "[smoke]") {
  const auto r = run_fathom(
      "plan scenarios/deepseek-v3-pretrain-2048xh800.json --set "
      "'plan={\"cluster_nodes\":[256],\"pp\":[16],\"ep\":[64]}' "
      "--bands 4 --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["best_bands"]["samples"] == 4);
  CHECK(j["best_bands"]["bands"].is_array());
}

// The planner's caches (training_cache.h: files, EPLB, cost models, block costs and stages shared between
// configurations) must not change a figure: each listed configuration equals `fathom run` of the configured
// scenario at fidelity=analytic. The space shares block shapes between configurations (two cluster sizes and
// three schedules per EP), so a stale or mis-keyed cache entry would show here.
TEST_CASE("fathom plan training: each listed configuration equals fathom run at the analytic level", "[smoke]") {
  const auto r = run_fathom(
      "plan scenarios/deepseek-v3-pretrain-2048xh800.json --set "
      "'plan={\"cluster_nodes\":[256,512],\"pp\":[8,16],\"ep\":[32,64],\"schedules\":[\"dualpipe\",\"dualpipev\","
      "\"1f1b\"],\"micro_batch_sequences\":[2,1],\"top\":6}' --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["top"].size() >= 3);
  const auto near = [](double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b)); };
  for (const auto& t : j["top"]) {
    const std::string set =
        " --set cluster.nodes=" + std::to_string(t["nodes"].get<int64_t>()) +
        " --set parallelism.pp=" + std::to_string(t["pp"].get<int64_t>()) +
        " --set parallelism.ep=" + std::to_string(t["ep"].get<int64_t>()) +
        " --set training.schedule=" + t["schedule"].get<std::string>() +
        " --set training.micro_batch_sequences=" + std::to_string(t["micro_batch_sequences"].get<int64_t>()) +
        " --set training.micro_batches=" + std::to_string(t["micro_batches"].get<int64_t>()) +
        " --set checkpoint.storage.cluster.clients=" + std::to_string(t["nodes"].get<int64_t>());
    const auto run =
        run_fathom("run scenarios/deepseek-v3-pretrain-2048xh800.json --set fidelity=analytic" + set + " --json");
    INFO(t["label"].get<std::string>() << "\n" << run.err);
    REQUIRE(run.exit_code == 0);
    const auto p = nlohmann::json::parse(run.out);
    CHECK(near(t["step_s"].get<double>(), p["step"]["time_s"].get<double>()));
    CHECK(near(t["gpu_hours"].get<double>(), p["gpu_hours"].get<double>()));
    CHECK(near(t["cost_usd"].get<double>(), p["cost_usd"].get<double>()));
    CHECK(near(t["mfu_bf16"].get<double>(), p["mfu_bf16"].get<double>()));
    CHECK(near(t["tokens_per_day"].get<double>(), p["tokens_per_day"].get<double>()));
    CHECK(near(t["worst_rank_bytes"].get<double>(), p["memory"]["worst_rank_total_bytes"].get<double>()));
    CHECK(t["gpus"] == p["gpus"]);
  }
}

// The planner re-prices its best configurations at fidelity=event (plan.check_top, docs/plan.md): each check equals
// `fathom run` of that configuration at the event level, and the ratio is the two steps'.
TEST_CASE("fathom plan training: the best configurations are re-priced at fidelity=event", "[smoke]") {
  const auto r = run_fathom(
      "plan scenarios/deepseek-v3-pretrain-2048xh800.json --set "
      "'plan={\"cluster_nodes\":[256],\"pp\":[16],\"ep\":[32,64],\"schedules\":[\"dualpipe\",\"dualpipev\"],"
      "\"micro_batch_sequences\":[1],\"check_top\":2}' --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["checks"].size() == 2);
  CHECK(j["check"] == j["checks"][0]);
  const auto near = [](double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b)); };
  for (size_t i = 0; i < 2; ++i) {
    const auto& c = j["checks"][i];
    const auto& t = j["top"][i];
    CHECK(c["label"] == t["label"]);
    CHECK(near(c["analytic_step_s"].get<double>(), t["step_s"].get<double>()));
    CHECK(near(c["step_over_analytic"].get<double>(), c["step_s"].get<double>() / t["step_s"].get<double>()));
    const std::string set = " --set cluster.nodes=256 --set parallelism.pp=" + std::to_string(t["pp"].get<int64_t>()) +
                            " --set parallelism.ep=" + std::to_string(t["ep"].get<int64_t>()) +
                            " --set training.schedule=" + t["schedule"].get<std::string>() +
                            " --set training.micro_batches=" + std::to_string(t["micro_batches"].get<int64_t>());
    const auto run =
        run_fathom("run scenarios/deepseek-v3-pretrain-2048xh800.json --set fidelity=event" + set + " --json");
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(near(c["step_s"].get<double>(), nlohmann::json::parse(run.out)["step"]["time_s"].get<double>()));
  }
  const auto none = run_fathom(
      "plan scenarios/deepseek-v3-pretrain-2048xh800.json --set "
      "'plan={\"cluster_nodes\":[256],\"pp\":[16],\"ep\":[64],\"schedules\":[\"dualpipe\"],\"check_top\":0}' "
      "--json");
  REQUIRE(none.exit_code == 0);
  const auto n = nlohmann::json::parse(none.out);
  CHECK(n["checks"].empty());
  CHECK(n["check"].is_null());
}

namespace {

// `fathom plan ARGS` under `mpirun -n 2` and in one process: the JSON of both (nullopt, with a warning, where
// OpenMPI's mpirun is absent or fathom was built without MPI).
std::optional<std::pair<std::string, std::string>> one_and_two_processes(const std::string& args) {
  if (FATHOM_WITH_MPI == 0 || std::system("command -v mpirun >/dev/null 2>&1") != 0) {
    WARN("skipped: mpirun absent or fathom built without MPI (tools/setup.sh installs OpenMPI)");
    return std::nullopt;
  }
  const auto one = run_fathom(args);
  REQUIRE(one.exit_code == 0);
  const auto two = fathom::test::run_command(std::string("mpirun --allow-run-as-root --oversubscribe -n 2 '") +
                                             FATHOM_BINARY + "' " + args);
  INFO(two.err);
  REQUIRE(two.exit_code == 0);
  return std::pair{one.out, two.out};
}

}  // namespace

// `mpirun -n 2 fathom plan` splits the training space over two processes and gathers on rank 0: the same bytes
// as one process.
TEST_CASE("fathom plan under mpirun -n 2 prints the same JSON as one process", "[smoke]") {
  const auto out = one_and_two_processes(
      "plan scenarios/deepseek-v3-pretrain-2048xh800.json --set "
      "'plan={\"cluster_nodes\":[128,256],\"pp\":[8,16],\"ep\":[32,64],\"micro_batch_sequences\":[1,2]}' --json");
  if (!out) return;
  CHECK(out->second == out->first);
  const auto j = nlohmann::json::parse(out->second);
  CHECK(j["feasible"].get<int64_t>() > 0);
  CHECK(j["rejected"]["total"].get<int64_t>() > 0);
}

// The serving search under mpirun -n 2: its phase options priced by both processes, collected on rank 0; the same
// bytes as one process (the window simulation of the best included).
TEST_CASE("fathom plan of a serving scenario under mpirun -n 2 prints the same JSON as one process", "[smoke]") {
  const auto out = one_and_two_processes(
      "plan scenarios/deepseek-v3-r1-serving-day.json --set "
      "'plan={\"node_types\":[\"hw/nodes/h800-8gpu.json\"],\"prefill_nodes_per_unit\":[2,4],"
      "\"decode_nodes_per_unit\":[9,18],\"redundant_experts\":[0,32],\"decode_batch_limits\":[0,32]}' --json");
  if (!out) return;
  CHECK(out->second == out->first);
  CHECK(nlohmann::json::parse(out->second)["feasible"].get<int64_t>() > 0);
}

TEST_CASE("fathom plan of the shipped TP2 PP8 VP4 scenario searches its plan section's TP and virtual stages",
          "[smoke]") {
  // 4 cluster sizes x 6 PP x 4 TP x 6 EP x (4 schedules + interleaved_1f1b at 3 virtual stages) x 3 micro-batch
  // sizes (docs/plan.md).
  const auto r =
      run_fathom("plan scenarios/deepseek-v3-pretrain-1024xh100-tp2-pp8-vp4.json --set plan.top=1000 --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  check_counts(j);
  CHECK(j["configurations"] == 4 * 6 * 4 * 6 * 7 * 3);
  CHECK(j["space"]["tp"] == nlohmann::json({1, 2, 4, 8}));
  CHECK(j["space"]["virtual_stages"] == nlohmann::json({1, 2, 4}));
  REQUIRE(j["best"].is_object());
  // Every TP and every virtual stage count has a feasible configuration among the listed.
  for (const int tp : {1, 2, 4, 8}) {
    INFO("TP" << tp);
    CHECK(std::any_of(j["top"].begin(), j["top"].end(), [&](const nlohmann::json& t) { return t["tp"] == tp; }));
  }
  for (const int vp : {1, 2, 4}) {
    INFO("VP" << vp);
    CHECK(std::any_of(j["top"].begin(), j["top"].end(),
                      [&](const nlohmann::json& t) { return t["schedule"] == "interleaved_1f1b" && t["vp"] == vp; }));
  }
  for (const auto& t : j["top"]) CHECK(t["worst_rank_bytes"].get<double>() <= t["hbm_bytes"].get<double>());
}
