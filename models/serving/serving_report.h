#pragma once
// The Report of a serving day (sim/report.h; docs/serving.md has the JSON contract): the headline figures
// (throughput per node, nodes, GPU-hours, cost, revenue, margin, TTFT), the per-window table with its
// chart, the GPU-level lines, warnings and assumptions.

#include <nlohmann/json.hpp>
#include <string>

#include "models/serving/serving_day.h"
#include "models/serving/serving_inputs.h"
#include "sim/provenance.h"
#include "sim/report.h"

namespace fathom::models::serving {

// `name` titles the report; `scenario` is the resolved scenario, embedded under "scenario".
Report serving_report(const ServingInputs& in, const ServingResult& r, const ProvenanceLog& log,
                      const nlohmann::json& scenario, const std::string& name);

}  // namespace fathom::models::serving
