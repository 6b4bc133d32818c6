#pragma once
// Reads a "serving" scenario into ServingInputs: every section strictly, with provenance logged.

#include "models/serving/serving_day.h"
#include "sim/provenance.h"
#include "sim/scenario_document.h"

namespace fathom::models::serving {

ServingInputs read_serving_inputs(const ScenarioDocument& doc, ProvenanceLog* log);

}  // namespace fathom::models::serving
