// Which --bands sweeps may run on several threads (tools/run_kinds.h): never one that enters SimGrid, a
// process singleton bound to the thread that first ran it (a flow-level run on two threads crashed).

#include <catch2/catch.hpp>

#include "sim/scenario_document.h"
#include "tools/run_kinds.h"

using namespace fathom;

namespace {

ScenarioDocument shipped(const std::string& file, const std::vector<std::string>& sets = {}) {
  return load_scenario(std::string(FATHOM_SOURCE_DIR) + "/scenarios/" + file, sets);
}

}  // namespace

TEST_CASE("band threads: one for SimGrid runs (flow fidelity, storage), as asked otherwise", "[unit]") {
  const ScenarioDocument event = shipped("deepseek-v3-pretrain-2048xh800.json");
  const ScenarioDocument flow = shipped("deepseek-v3-pretrain-2048xh800.json", {"fidelity=flow"});
  const ScenarioDocument storage = shipped("3fs-peak-read-180-nodes.json");
  CHECK_FALSE(tools::enters_simgrid(event));
  CHECK(tools::enters_simgrid(flow));
  CHECK(tools::enters_simgrid(storage));
  CHECK(tools::band_threads(event, 3) == 3);
  CHECK(tools::band_threads(event, 0) >= 1);  // every core
  CHECK(tools::band_threads(flow, 3) == 1);
  CHECK(tools::band_threads(storage, 4) == 1);
}
