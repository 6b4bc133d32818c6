#pragma once
// Test neighbour: read a shipped training scenario, and find a decoder layer's block in a prediction.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/training/training_run.h"
#include "sim/provenance.h"
#include "sim/scenario_document.h"

namespace fathom::test {

// scenarios/<file> read as `fathom run` reads it, with `sets` ("path.to.key=value") applied.
inline models::training::TrainingScenario read_training(const std::string& file, std::vector<std::string> sets = {}) {
  ProvenanceLog log;
  return models::training::read_training_scenario(
      load_scenario(std::string(FATHOM_SOURCE_DIR) + "/scenarios/" + file, sets), log);
}

// The block of decoder layer `layer` in `p`'s stages; std::logic_error if none holds it.
inline const models::training::BlockCost& layer_block(const models::training::TrainingPrediction& p, int64_t layer) {
  for (const models::training::Stage& st : p.stages)
    for (const models::training::BlockCost& b : st.blocks)
      if (b.kind == models::training::BlockKind::layer && b.layer == layer) return b;
  throw std::logic_error("no such layer");
}

}  // namespace fathom::test
