#pragma once
// Test neighbour: the shipped GPU files (scenarios/hw/gpus/<name>.json) and the H800 kernel cost model.

#include <string>

#include "hw/calibration.h"
#include "hw/kernel_cost_model.h"
#include "sim/scenario_document.h"

namespace fathom::test {

// The GPU of scenarios/hw/gpus/<name>.json, e.g. "h800".
inline hw::GpuSpec shipped_gpu(const std::string& name) {
  const ScenarioDocument doc = load_scenario(std::string(FATHOM_SOURCE_DIR) + "/scenarios/hw/gpus/" + name + ".json");
  return hw::read_gpu_spec(SpecReader(doc.root, doc.label, ""));
}

// The H800 with its shipped kernel calibration.
inline hw::KernelCostModel h800_cost_model() {
  return {shipped_gpu("h800"),
          hw::load_calibration(std::string(FATHOM_SOURCE_DIR) + "/scenarios/calibration/h800.json")};
}

}  // namespace fathom::test
