// Resource guards through the CLI (sim/resource_guard.h): absurd sizes are refused before anything is
// built, with exit 2 and one line naming the JSON path and the count, well within a time bound; a huge
// cluster that the symmetry fold makes cheap still runs.

#include <catch2/catch.hpp>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_runner.h"

using fathom::test::is_one_line;
using fathom::test::run_fathom;

namespace {

// The refusal comes before any graph, flow or request is built: seconds even under the sanitizers.
constexpr auto kRefusalBound = std::chrono::seconds(30);

void check_refused(const std::string& args, const std::string& path, const std::string& count) {
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_fathom(args);
  const auto took = std::chrono::steady_clock::now() - start;
  INFO("fathom " << args << "\n" << r.err);
  CHECK(r.exit_code == 2);
  CHECK(is_one_line(r.err));
  CHECK(r.err.find(path) != std::string::npos);
  CHECK(r.err.find(count) != std::string::npos);
  CHECK(r.err.find("budget") != std::string::npos);
  CHECK(r.out.empty());
  CHECK(took < kRefusalBound);
}

const std::string kTraining = "run scenarios/deepseek-v3-pretrain-2048xh800.json";

}  // namespace

TEST_CASE("resource guard: a billion micro-batches at the flow level are refused", "[smoke]") {
  check_refused(kTraining +
                    " --set fidelity=flow --set training.micro_batches=1000000000"
                    " --set training.global_batch_sequences=128000000000",
                "training.micro_batches: fidelity=flow", "engine tasks");
}

TEST_CASE("resource guard: a million GPUs run folded, at the cost of one pipeline", "[smoke]") {
  // 131,072 nodes x 8 = 1,048,576 GPUs; the event level folds data parallelism to one pipeline.
  const auto big = run_fathom(kTraining +
                              " --set cluster.nodes=131072 --set training.global_batch_sequences=7864320"
                              " --set checkpoint.storage.cluster.clients=131072 --json");
  const auto shipped = run_fathom(kTraining + " --json");
  INFO(big.err);
  REQUIRE(big.exit_code == 0);
  REQUIRE(shipped.exit_code == 0);
  const auto b = nlohmann::json::parse(big.out), s = nlohmann::json::parse(shipped.out);
  CHECK(b["gpus"] == 1048576);
  CHECK(b["engine_tasks"] == s["engine_tasks"]);
}

TEST_CASE("resource guard: a serving day simulating a billion seconds per window is refused", "[smoke]") {
  check_refused("run scenarios/deepseek-v3-r1-serving-day.json --set simulation.seconds_per_window=1000000000s",
                "simulation.seconds_per_window: the serving day", "simulated requests");
}

TEST_CASE("resource guard: a serving day of millisecond windows is refused", "[smoke]") {
  check_refused("run scenarios/deepseek-v3-r1-serving-day.json --set autoscaling.window=1ms",
                "autoscaling.window: the serving day", "86,400,000 planning windows");
}

TEST_CASE("resource guard: a storage job with a million clients unfolded is refused", "[smoke]") {
  check_refused(
      "run scenarios/3fs-peak-read-180-nodes.json --set storage.cluster.clients=1000000"
      " --set storage.fold.clients=0 --set storage.fold.storage_nodes=0",
      "storage.fold: needs ~", "180,000,000 flows");
}
