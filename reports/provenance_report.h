#pragma once
// What a prediction rests on: the assumed and default values of a ProvenanceLog, as JSON (embedded
// in every --json result under "assumptions") and as text lines.

#include <nlohmann/json.hpp>
#include <string>

#include "sim/provenance.h"

namespace fathom::reports {

// [{"path": "...", "value": "...", "source": "assumed:..."}, ...] for assumed and default values.
nlohmann::json assumptions_json(const ProvenanceLog& log);
// One "  path = value  (source)" line per assumed or default value.
std::string assumptions_text(const ProvenanceLog& log);

}  // namespace fathom::reports
