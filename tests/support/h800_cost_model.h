#pragma once
// The shipped H800 GPU file and its kernel calibration as a cost model, for tests that price ops.

#include <string>

#include "hw/calibration.h"
#include "hw/kernel_cost_model.h"
#include "sim/scenario_document.h"

namespace fathom::test {

inline hw::KernelCostModel h800_cost_model() {
  const std::string src = FATHOM_SOURCE_DIR;
  ProvenanceLog log;
  const auto doc = load_scenario(src + "/scenarios/hw/gpus/h800.json");
  const auto gpu = hw::read_gpu_spec(SpecReader(doc.root, "h800.json", "", &log));
  return {gpu, hw::load_calibration(src + "/scenarios/calibration/h800.json")};
}

}  // namespace fathom::test
