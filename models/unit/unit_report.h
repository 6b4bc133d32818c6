#pragma once
// The Report of a unit run (sim/report.h; docs/unit.md has the JSON contract): headline metrics, the
// breakdown table, warnings and the assumptions it rests on.

#include <nlohmann/json.hpp>

#include "models/unit/unit_run.h"
#include "sim/provenance.h"
#include "sim/report.h"

namespace fathom::models::unit {

// `scenario` is the resolved scenario, embedded under "scenario".
Report unit_report(const UnitScenario& s, const UnitResult& r, const ProvenanceLog& log,
                   const nlohmann::json& scenario);

}  // namespace fathom::models::unit
