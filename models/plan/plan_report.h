#pragma once
// The Report of `fathom plan` (sim/report.h, docs/plan.md "Output"): the best configurations, the Pareto
// fronts, the rejections by reason and (serving) the window simulation of the best configuration.

#include <string>

#include "models/plan/serving_plan.h"
#include "models/plan/training_plan.h"
#include "sim/report.h"

namespace fathom::models::plan {

Report serving_plan_report(const ServingPlanResult& r, const std::string& title);
Report training_plan_report(const TrainingPlanResult& r, const std::string& title);

}  // namespace fathom::models::plan
