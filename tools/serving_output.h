#pragma once
// Rendering of a simulated serving day: the JSON contract of issue #4 (docs/serving.md) and a
// readable summary with an hourly table.

#include <nlohmann/json.hpp>
#include <string>

#include "models/serving/serving_day.h"

namespace fathom::tools {

nlohmann::json serving_json(const models::serving::ServingInputs& in, const models::serving::ServingResult& r);
std::string serving_text(const std::string& name, const models::serving::ServingResult& r);

}  // namespace fathom::tools
