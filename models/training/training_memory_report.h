#pragma once
// `fathom memory` of a training scenario (sim/report.h): the per-GPU memory of the worst pipeline rank of
// the step against HBM (models/training/rank_memory.h), every rank's total, and the worst rank's parts and
// activation items. Keys beside the memory report of a deployment (models/deployment/memory_report.h):
// `fits`, `headroom_bytes`, `headroom_fraction`, `gpu`, `gpus`, `per_gpu` (the worst rank's parts and
// `total_bytes`, `hbm_capacity_bytes`), `worst_rank`, `per_rank`, `parts`.

#include <nlohmann/json.hpp>

#include "models/training/rank_memory.h"
#include "models/training/training_run.h"
#include "sim/provenance.h"
#include "sim/report.h"

namespace fathom::models::training {

Report training_memory_report(const TrainingScenario& s, const TrainingMemory& memory, const ProvenanceLog& log,
                              const nlohmann::json& scenario);

}  // namespace fathom::models::training
