#pragma once
// A training step's timeline as report tables (sim/report.h): every slice of the simulated pipeline (one
// replica's ranks: the fold already simulates one pipeline) for the Chrome trace, and the subset a Gantt
// chart can draw (compute streams, pipeline sends and ZeRO-1 collectives; the per-block expert
// all-to-alls, about four in five slices at DeepSeek scale, stay in the trace only).

#include <nlohmann/json.hpp>
#include <vector>

#include "models/training/step_model.h"
#include "sim/report.h"

namespace fathom::models::training {

// Rows {process (rank), thread (track), process_name, thread_name, name, category, start_s, end_s}, in
// the order of `slices`. Times in seconds from the start of the step.
nlohmann::json timeline_rows(const std::vector<StepSlice>& slices);

// Rows {rank, lane, category, name, start_s, end_s} without the all-to-all track, sorted by rank, then
// lane ("rank R compute" before "rank R sends, ZeRO-1"), then start.
nlohmann::json pipeline_rows(const std::vector<StepSlice>& slices);

// The two tables: "timeline" (the Report::timeline; not listed) and "pipeline" (its Gantt chart).
std::vector<TableSpec> timeline_tables();

}  // namespace fathom::models::training
