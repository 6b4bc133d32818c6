#pragma once
// The Report of `fathom memory` (sim/report.h; docs/memory.md has the JSON contract): per-GPU memory of one
// or more units of a deployment against HBM. One unit (a memory or unit scenario) keeps the keys outside
// checks read at the top level (`fits`, `headroom_bytes`, `per_gpu`, ...); several units (a serving
// scenario's prefill and decode units) put the same keys under each unit's name, with `fits` true only when
// every unit fits. Every report has the `parts` table: one row per unit and part, in bytes and share of HBM.

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "hw/cluster_spec.h"
#include "models/deployment/memory_footprint.h"
#include "sim/provenance.h"
#include "sim/report.h"

namespace fathom::models {

// One unit of a deployment: what each of its GPUs holds.
struct MemoryUnit {
  std::string name;  // "gpu" for a single deployment, "prefill" / "decode" for a serving scenario's units
  int64_t gpus = 0;  // GPUs of the unit (the deployment's GPUs for a single one)
  MemoryRequest request;
  MemoryFootprint footprint;
};

// `scenario` is the resolved scenario, embedded under "scenario"; `source_kind` the scenario's kind
// ("memory" for a scenario without one, "unit", "serving").
Report memory_report(const std::string& title, const std::string& source_kind, const hw::ClusterSpec& cluster,
                     const std::vector<MemoryUnit>& units, const ProvenanceLog& log, const nlohmann::json& scenario);

// Shared with the training memory report: rows {unit, part, bytes, share_of_hbm} of `parts`, and the table
// and chart that show them.
nlohmann::json memory_part_rows(const std::string& unit, const std::vector<std::pair<std::string, double>>& parts,
                                double hbm_bytes);
TableSpec memory_parts_table();

}  // namespace fathom::models
