#pragma once
// The Report of a training step (sim/report.h; docs/training.md has the JSON contract): the step and its
// breakdown on the critical rank, MFU, throughput, GPU-hours and cost of the token budget, the stages,
// the batch ramp and each rank's memory as tables, warnings and assumptions; with a timeline in `p` (see
// predict_training), its slices as the report's timeline and a Gantt chart of the pipeline.

#include <nlohmann/json.hpp>

#include "models/training/rank_memory.h"
#include "models/training/training_run.h"
#include "sim/provenance.h"
#include "sim/report.h"

namespace fathom::models::training {

// `scenario` is the resolved scenario, embedded under "scenario".
Report training_report(const TrainingScenario& s, const TrainingPrediction& p, const TrainingMemory& memory,
                       const ProvenanceLog& log, const nlohmann::json& scenario);

}  // namespace fathom::models::training
