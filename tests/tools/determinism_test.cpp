// [determinism] The same scenario gives byte-identical JSON on every run (docs/architecture.md,
// "Robustness"): each shipped scenario kind is run twice as separate processes (so address-space layout,
// allocation order and SimGrid's process-wide engine differ) and the two outputs are compared byte for
// byte, nothing excluded.

#include <catch2/catch.hpp>

#include <string>

#include "support/cli_runner.h"

using fathom::test::run_fathom;

namespace {

void check_deterministic(const std::string& args) {
  const auto first = run_fathom(args + " --json");
  INFO("fathom " << args << "\n" << first.err);
  REQUIRE(first.exit_code == 0);
  REQUIRE(!first.out.empty());
  const auto second = run_fathom(args + " --json");
  REQUIRE(second.exit_code == 0);
  CHECK(first.out == second.out);  // byte for byte
  CHECK(first.err == second.err);
}

}  // namespace

TEST_CASE("determinism: the serving day gives identical JSON run after run", "[determinism]") {
  check_deterministic("run scenarios/deepseek-v3-r1-serving-day.json");
}

TEST_CASE("determinism: a training step gives identical JSON run after run at the analytic level", "[determinism]") {
  check_deterministic("run scenarios/deepseek-v3-pretrain-2048xh800.json --set fidelity=analytic");
}

TEST_CASE("determinism: a training step gives identical JSON run after run at the event level", "[determinism]") {
  check_deterministic("run scenarios/deepseek-v3-pretrain-2048xh800.json --set fidelity=event");
}

TEST_CASE("determinism: a training step gives identical JSON run after run at the flow level", "[determinism]") {
  // The flow level runs on SimGrid (max-min sharing, one process-wide engine).
  check_deterministic("run scenarios/deepseek-v3-pretrain-2048xh800.json --set fidelity=flow");
}

TEST_CASE("determinism: storage jobs give identical JSON run after run", "[determinism]") {
  check_deterministic("run scenarios/3fs-graysort-25-nodes.json");
  check_deterministic("run scenarios/3fs-peak-read-180-nodes.json");
}

TEST_CASE("determinism: unit scenarios give identical JSON run after run", "[determinism]") {
  check_deterministic("run scenarios/unit/deepseek-v3-decode-ep144-h800.json");
  check_deterministic("run scenarios/unit/deepseek-v3-training-chunk-ep64-h800.json");
}

TEST_CASE("determinism: memory reports give identical JSON run after run", "[determinism]") {
  check_deterministic("memory scenarios/deepseek-v3-100k-1xh800.json");
}

TEST_CASE("determinism: a trace file is identical run after run", "[determinism]") {
  const std::string base = "/tmp/fathom_determinism_trace_" + std::to_string(::getpid());
  for (const char* n : {"1", "2"}) {
    const auto r = run_fathom("run scenarios/deepseek-v3-pretrain-2048xh800.json --trace " + base + n + ".json");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  const std::string a = fathom::test::read_all(base + "1.json"), b = fathom::test::read_all(base + "2.json");
  CHECK(!a.empty());
  CHECK(a == b);
  std::remove((base + "1.json").c_str());
  std::remove((base + "2.json").c_str());
}

TEST_CASE("determinism: the JSON does not depend on how the scenario's path is written", "[determinism]") {
  const auto relative = run_fathom("run scenarios/3fs-graysort-25-nodes.json --json");
  const auto absolute =
      run_fathom(std::string("run '") + FATHOM_SOURCE_DIR + "/scenarios/./3fs-graysort-25-nodes.json' --json");
  INFO(relative.err << absolute.err);
  REQUIRE(relative.exit_code == 0);
  REQUIRE(absolute.exit_code == 0);
  CHECK(relative.out == absolute.out);
}
